package emulatortest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// TestStartTLS checks that a StartTLS server's own client and a client that
// trusts only CAFile both get through, over HTTP/2, and that an untrusting
// client does not.
func TestStartTLS(t *testing.T) {
	srv := emulatortest.StartTLS(t, emulator.WithScenario("default"))
	r := srv.Do("GET", "/api/v1/orgs/acme/cloud-accounts", nil, "Authorization: Token admin-token")
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	resp, err := srv.Client().Get(srv.URL() + "/_emulator/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.TLS == nil {
		t.Errorf("proto %s, TLS %v: want HTTP/2 over TLS", resp.Proto, resp.TLS != nil)
	}
	pemData, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	own := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err = own.Get(srv.URL() + "/_emulator/health")
	if err != nil {
		t.Fatalf("client trusting CAFile: %v", err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 1 {
		t.Errorf("HTTP/1.1 client got %s", resp.Proto)
	}
	if _, err := http.Get(srv.URL() + "/_emulator/health"); err == nil {
		t.Error("a client that does not trust the CA got through")
	}
	sb := srv.Sandbox("tls-sb")
	if r := sb.Do("GET", "/_emulator/health", nil); r.Status != 200 {
		t.Errorf("sandbox over TLS: %d", r.Status)
	}
}

// TestBothListeners starts one emulator that serves plain HTTP and HTTPS at
// once, over the same state.
func TestBothListeners(t *testing.T) {
	emu, err := emulator.New(emulator.WithAddr("127.0.0.1:0"), emulator.WithTLS(emulator.TLS{Addr: "127.0.0.1:0"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = emu.Close(ctx)
	})
	if emu.URL()[:7] != "http://" || emu.TLSURL()[:8] != "https://" || emu.URL()[7:] == emu.TLSURL()[8:] {
		t.Fatalf("URL %s, TLSURL %s", emu.URL(), emu.TLSURL())
	}
	b, err := emu.TLSBundle()
	if err != nil {
		t.Fatal(err)
	}
	secure := &http.Client{Transport: &http.Transport{TLSClientConfig: b.ClientConfig(), ForceAttemptHTTP2: true}}
	// A write over HTTPS is seen over plain HTTP.
	req, _ := http.NewRequest("POST", emu.TLSURL()+"/api/v1/orgs/acme/cloud-accounts",
		strings.NewReader(`{"displayName":"over-tls","cloudProfile":"aws-eu-west-1"}`))
	req.Header.Set("Authorization", "Token admin-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := secure.Do(req)
	if err != nil || resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("create over HTTPS: %v %v", err, resp)
	}
	resp.Body.Close()
	req, _ = http.NewRequest("GET", emu.URL()+"/api/v1/orgs/acme/cloud-accounts?display-name=over-tls", nil)
	req.Header.Set("Authorization", "Token admin-token")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("read over HTTP: %v %v", err, resp)
	}
	var page struct{ TotalElements int }
	decodeJSON(t, resp, &page)
	if page.TotalElements != 1 {
		t.Errorf("account created over HTTPS not seen over HTTP: %+v", page)
	}
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
