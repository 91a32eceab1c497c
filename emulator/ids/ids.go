// Package ids generates the identifiers the emulator hands out. They come
// from a seeded source, so the same scenario and the same calls give the same
// ids, which keeps golden files and journals stable.
package ids

import (
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"sync"
)

// Gen is a seeded, concurrency-safe id generator.
type Gen struct {
	mu  sync.Mutex
	src *rand.PCG
	rng *rand.Rand
}

// New returns a generator seeded with seed.
func New(seed uint64) *Gen {
	g := &Gen{}
	g.Reseed(seed)
	return g
}

// Reseed restarts the sequence from seed.
func (g *Gen) Reseed(seed uint64) {
	g.mu.Lock()
	g.src = rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	g.rng = rand.New(g.src)
	g.mu.Unlock()
}

// Position returns where the sequence stands, as text: a snapshot writes
// it so that the ids handed out after loading it back are those the
// snapshotted sandbox would have handed out next.
func (g *Gen) Position() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	b, _ := g.src.MarshalBinary() // PCG's encoding cannot fail
	return hex.EncodeToString(b)
}

// Resume moves the sequence to a Position.
func (g *Gen) Resume(pos string) error {
	b, err := hex.DecodeString(pos)
	if err != nil {
		return errors.New("not a position written by a snapshot (hex digits)")
	}
	src := &rand.PCG{}
	if err := src.UnmarshalBinary(b); err != nil {
		return errors.New("not a position written by a snapshot")
	}
	g.mu.Lock()
	g.src, g.rng = src, rand.New(src)
	g.mu.Unlock()
	return nil
}

func (g *Gen) bytes16() [16]byte {
	var b [16]byte
	g.mu.Lock()
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	g.mu.Unlock()
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	return b
}

// UUID returns a random (version 4, RFC 4122 variant) UUID in the usual
// dashed lowercase form.
func (g *Gen) UUID() string {
	b := g.bytes16()
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// Hex32 returns a UUID written as 32 lowercase hex digits without dashes, the
// form ZStack uses.
func (g *Gen) Hex32() string {
	b := g.bytes16()
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return hex.EncodeToString(b[:])
}

// Token returns a session or job identifier: a version 4 UUID written as 32
// lowercase hex digits, from the operating system's cryptographic source.
// Unlike the seeded ids these never repeat across resets, scenario reloads,
// sandboxes or restarts, as a real service never reissues a session id: a
// client that caches one (govmomi's session cache) must not find it again
// belonging to someone else.
func Token() string {
	var b [16]byte
	_, _ = crand.Read(b[:]) // never fails on supported platforms (Go 1.24+)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return hex.EncodeToString(b[:])
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Alnum returns n random letters and digits from the operating system's
// cryptographic source: the shape of an OAuth2 token as oauthlib's
// generate_token makes it (AWX's personal tokens, 30 characters).
func Alnum(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
