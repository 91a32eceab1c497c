package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
)

// hotPaths is one read per API family, the requests clients make most.
var hotPaths = []struct{ name, path, auth string }{
	{"avisi", "/api/v1/orgs/acme/cloud-accounts/0b0e1c6a-2f4d-4c55-9a51-6d0f3f4f9a01", familyAuth["avisi"]},
	{"zstack", "/zstack/v1/iam2/virtual-ids/894f1c5bf6714a76b08324c69b8cac7c", familyAuth["zstack"]},
	{"awx", "/api/v2/credentials/1/", familyAuth["awx"]},
	{"vsphere", "/api/appliance/local-accounts/ops", familyAuth["vsphere"]},
}

// BenchmarkHotPath runs one read per family through the whole pipeline
// in-process (no network), so the figures are the emulator's own cost.
func BenchmarkHotPath(b *testing.B) {
	emu, err := emulator.New(emulator.WithScenario("default"))
	if err != nil {
		b.Fatal(err)
	}
	for _, hp := range hotPaths {
		b.Run(hp.name, func(b *testing.B) {
			k, v, _ := strings.Cut(hp.auth, ": ")
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodGet, hp.path, nil)
				req.Header.Set(k, v)
				rec := httptest.NewRecorder()
				emu.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%s: %d %s", hp.name, rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkHotCreate runs one validated create per family through the
// whole pipeline in-process.
func BenchmarkHotCreate(b *testing.B) {
	for _, hc := range creates {
		b.Run(hc.name, func(b *testing.B) {
			emu, err := emulator.New(emulator.WithScenario("default"))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				hc.create(b, emu, i)
			}
		})
	}
}

// BenchmarkLoadLarge measures loading and compiling the large scenario
// (more than 100,000 objects across the four families).
func BenchmarkLoadLarge(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := emulator.New(emulator.WithScenario("large"), emulator.WithSeed(uint64(1000+i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListPages compares a page of 50 from a list of 100 and of
// 100,000, per family: the cost should not grow with the list.
func BenchmarkListPages(b *testing.B) {
	lists := []struct{ name, yaml, path, auth string }{
		{"avisi", "include: [fixtures/avisi/cloud-profiles.yaml]\navisi:\n  tokens: [{token: t, organisations: ['*']}]\n  organisations: [{slug: acme, generate: {cloudAccounts: %d, credentialsPerAccount: 0}}]\n",
			"/api/v1/orgs/acme/cloud-accounts?page=1&size=50", "Authorization: Token t"},
		{"zstack", "zstack:\n  accounts: [{name: admin, password: p}]\n  sessions: [{uuid: 0123456789abcdef0123456789abcdef, account: admin}]\n  generate: {virtualIDs: %d}\n",
			"/zstack/v1/iam2/virtual-ids?start=50&limit=50&replyWithCount=true", familyAuth["zstack"]},
		{"awx", "awx:\n  users: [{username: admin, password: password, superuser: true}]\n  generate: {users: %d, credentialsPerUser: 1}\n",
			"/api/v2/credentials/?page=2&page_size=50", familyAuth["awx"]},
		{"zstack-q", "zstack:\n  accounts: [{name: admin, password: p}]\n  sessions: [{uuid: 0123456789abcdef0123456789abcdef, account: admin}]\n  generate: {virtualIDs: %d}\n",
			"/zstack/v1/iam2/virtual-ids?limit=20&q=state=Enabled", familyAuth["zstack"]},
		{"awx-filter", "awx:\n  users: [{username: admin, password: password, superuser: true}]\n  generate: {users: %d, credentialsPerUser: 1}\n",
			"/api/v2/credentials/?page_size=20&credential_type__kind=ssh", familyAuth["awx"]},
		{"vsphere", "vsphere:\n  users: [{username: administrator@vsphere.local, password: 'Passw0rd!', roles: [superAdmin]}]\n  generate: {localAccounts: %d}\n",
			"/api/appliance/local-accounts/root", familyAuth["vsphere"]},
	}
	for _, l := range lists {
		for _, n := range []int{100, 100000} {
			b.Run(fmt.Sprintf("%s/%d", l.name, n), func(b *testing.B) {
				emu, err := emulator.New(emulator.WithScenarioYAML("list.yaml", []byte(fmt.Sprintf(l.yaml, n))))
				if err != nil {
					b.Fatal(err)
				}
				k, v, _ := strings.Cut(l.auth, ": ")
				get := func() {
					req := httptest.NewRequest(http.MethodGet, l.path, nil)
					req.Header.Set(k, v)
					rec := httptest.NewRecorder()
					emu.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
				get() // the sandbox's state is built on its first request
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					get()
				}
			})
		}
	}
}

// BenchmarkMemoryPerObject reports the heap the large scenario's objects
// take in one sandbox, per object.
func BenchmarkMemoryPerObject(b *testing.B) {
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		emu, err := emulator.New(emulator.WithScenario("large"), emulator.WithSeed(uint64(5000+i)))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		// large: 20,000 Avisi accounts + 20,000 credentials, 20,000 ZStack
		// virtual IDs + 20,000 attributes, 10,000 AWX users + 20,000
		// credentials, 10,000 vSphere accounts, plus the default world.
		const objects = 140000
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/objects, "B/object")
		runtime.KeepAlive(emu)
	}
}

// creates is one validated create per family, for BenchmarkHotCreate
// and BenchmarkMemoryPerCreate.
var creates = []createCase{
	{"avisi", "/api/v1/orgs/acme/cloud-accounts", familyAuth["avisi"], 200,
		func(i int) string { return fmt.Sprintf(`{"displayName":"mem-%d","cloudProfile":"aws-eu-west-1"}`, i) }},
	{"zstack", "/zstack/v1/iam2/virtual-ids", familyAuth["zstack"], 200,
		func(i int) string {
			return fmt.Sprintf(`{"params":{"name":"mem-%d","password":"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"}}`, i)
		}},
	{"awx", "/api/v2/users/2/credentials/", familyAuth["awx"], 201,
		func(i int) string {
			return fmt.Sprintf(`{"name":"mem-%d","credential_type":1,"inputs":{"username":"u","password":"p"}}`, i)
		}},
	{"vsphere", "/api/appliance/local-accounts", familyAuth["vsphere"], 201,
		func(i int) string {
			return fmt.Sprintf(`{"username":"mem%d","config":{"password":"Secret-1","roles":["operator"]}}`, i)
		}},
}

// createCase is a create request of one family and the status it gets.
type createCase struct {
	name, path, auth string
	status           int
	body             func(i int) string
}

// create sends the i-th create (synchronous, for ZStack) through the whole
// pipeline in-process.
func (c createCase) create(b testing.TB, emu *emulator.Server, i int) {
	k, v, _ := strings.Cut(c.auth, ": ")
	req := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body(i)))
	req.Header.Set(k, v)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Emulator-Async", "false")
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, req)
	if rec.Code != c.status {
		b.Fatalf("%s: %d %s", c.name, rec.Code, rec.Body)
	}
}

// BenchmarkMemoryPerCreate reports the live heap each object created
// through the API adds, per family: the heap after a forced GC over
// 100,000 more creates, divided by 100,000. The first creates fill the
// journal (bounded, the same size at both measurements), so the figure is
// what a stored object costs, not the journal.
func BenchmarkMemoryPerCreate(b *testing.B) {
	const warm, objects = 20000, 100000
	for _, mc := range creates {
		b.Run(mc.name, func(b *testing.B) {
			for n := 0; n < b.N; n++ {
				emu, err := emulator.New(emulator.WithScenario("default"))
				if err != nil {
					b.Fatal(err)
				}
				create := func(i int) { mc.create(b, emu, i) }
				for i := 0; i < warm; i++ {
					create(i)
				}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				for i := warm; i < warm+objects; i++ {
					create(i)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/objects, "B/object")
				runtime.KeepAlive(emu)
			}
		})
	}
}
