package avisi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/fault"
)

// The benchmarks call the handler in-process, so they measure the pipeline
// (auth, journal, 20 non-matching fault rules, validation, state) and not
// the network.

func benchServer(b *testing.B, yaml string) *emulator.Server {
	b.Helper()
	emu, err := emulator.New(emulator.WithScenarioYAML("bench.yaml", []byte(yaml)))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		rule := fmt.Sprintf(`{"match": {"api": "avisi", "operation": "listCloudCredentials", "headers": {"X-Never": "%d"}}, "respond": {"status": 500}}`, i)
		// The control API answers hosts that cannot be a rebinding attack only.
		req := httptest.NewRequest("POST", "http://127.0.0.1/_emulator/faults", strings.NewReader(rule))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		if rec.Code != 201 {
			b.Fatalf("fault: %d %s", rec.Code, rec.Body)
		}
	}
	return emu
}

func serve(b *testing.B, emu *emulator.Server, method, path, body string, status int) {
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	var req *http.Request
	if rd != nil {
		req = httptest.NewRequest(method, path, rd)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.Header.Set("Authorization", "Token admin-token")
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, req)
	if rec.Code != status {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

func BenchmarkGetCloudAccount(b *testing.B) {
	emu := benchServer(b, testScenario)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		serve(b, emu, "GET", prodAWS, "", 200)
	}
}

func BenchmarkCreateCloudAccount(b *testing.B) {
	emu := benchServer(b, testScenario)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		serve(b, emu, "POST", acme+"/cloud-accounts", fmt.Sprintf(`{"displayName":"b-%d","cloudProfile":"aws-eu-west-1"}`, i), 200)
	}
}

// BenchmarkListPage compares a page of 50 from 100 and from 100,000 accounts.
func BenchmarkListPage(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			emu := benchServer(b, fmt.Sprintf(`
include: [fixtures/avisi/cloud-profiles.yaml]
avisi:
  tokens: [{token: admin-token, organisations: ["*"]}]
  organisations: [{slug: acme, generate: {cloudAccounts: %d, credentialsPerAccount: 0}}]
`, n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				serve(b, emu, "GET", acme+"/cloud-accounts?page=1&size=50", "", 200)
			}
		})
	}
}

func BenchmarkFaultEvaluate(b *testing.B) {
	var rules []fault.Rule
	for i := 0; i < 20; i++ {
		rules = append(rules, fault.Rule{Match: fault.Match{API: "avisi", Operation: fmt.Sprintf("op%d", i)}, Respond: fault.Respond{Status: 500}})
	}
	e := fault.NewEngine(1, rules)
	req := &fault.Request{API: "avisi", Operation: "getCloudAccount", Method: "GET", Path: prodAWS}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if e.Evaluate(req) != nil {
			b.Fatal("fired")
		}
	}
}
