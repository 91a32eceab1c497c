// Package tlscert makes the certificates credemu serves HTTPS with: a private
// certificate authority generated at start-up and a server certificate it
// signs for the names a client may dial, or the caller's own certificate and
// key read from files.
//
// The generated pair is a real CA and leaf rather than one self-signed
// certificate because strict verifiers (Python 3.13's default
// VERIFY_X509_STRICT, used by Ansible) refuse a self-signed leaf as a trust
// anchor and want a CA with critical basic constraints and key identifiers.
package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

// DefaultNames are the names every generated certificate is valid for.
var DefaultNames = []string{"localhost", "127.0.0.1", "::1"}

// Bundle is what a server presents and what a client trusts.
type Bundle struct {
	// Certificate is the server's certificate chain and private key.
	Certificate tls.Certificate
	// TrustPEM is the PEM a client adds to its trusted roots: the generated
	// CA, or the certificates of the caller's own file.
	TrustPEM []byte
	// Names are the DNS names and IP addresses the certificate covers
	// (generated certificates only).
	Names []string
}

// Generate makes a fresh CA and a server certificate signed by it, valid
// from an hour before now for a year, for DefaultNames and extra (DNS names
// or IP addresses).
func Generate(extra []string, now time.Time) (*Bundle, error) {
	names := append(append([]string{}, DefaultNames...), extra...)
	var dns []string
	var ips []net.IP
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if ip := net.ParseIP(strings.Trim(n, "[]")); ip != nil {
			ips = append(ips, ip)
		} else {
			dns = append(dns, n)
		}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	notBefore, notAfter := now.Add(-time.Hour), now.Add(365*24*time.Hour)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"credemu"}, CommonName: "credemu local CA"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId:          keyID(&caKey.PublicKey),
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"credemu"}, CommonName: names[0]},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:              dns,
		IPAddresses:           ips,
		SubjectKeyId:          keyID(&leafKey.PublicKey),
		AuthorityKeyId:        ca.SubjectKeyId,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return nil, err
	}
	covered := append([]string{}, dns...)
	for _, ip := range ips {
		covered = append(covered, ip.String())
	}
	return &Bundle{
		Certificate: tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey, Leaf: leaf},
		TrustPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Names:       covered,
	}, nil
}

// Load reads a PEM certificate chain and its private key.
func Load(certFile, keyFile string) (*Bundle, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &Bundle{Certificate: cert, TrustPEM: certPEM}, nil
}

// Pool returns a certificate pool that trusts the bundle.
func (b *Bundle) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(b.TrustPEM)
	return p
}

// ServerConfig is the TLS configuration a listener serves with: TLS 1.2 and
// later, HTTP/2 offered before HTTP/1.1.
func (b *Bundle) ServerConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{b.Certificate},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
}

// ClientConfig is a TLS configuration for a client that trusts the bundle.
func (b *Bundle) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: b.Pool(), MinVersion: tls.VersionTLS12}
}

// ErrNoTrust is returned by WriteTrust when the bundle has nothing to trust.
var ErrNoTrust = errors.New("no certificate to write")

// WriteTrust writes TrustPEM to path (mode 0644: it holds no secret).
func (b *Bundle) WriteTrust(path string) error {
	if len(b.TrustPEM) == 0 {
		return ErrNoTrust
	}
	return os.WriteFile(path, b.TrustPEM, 0o644)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n.Add(n, big.NewInt(1))
}

// keyID is a key identifier in the manner of RFC 5280 section 4.2.1.2: the
// SHA-1 of the public key (an identifier, not a security function).
func keyID(pub *ecdsa.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha1.Sum(der)
	return sum[:]
}
