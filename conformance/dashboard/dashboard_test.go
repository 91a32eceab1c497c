// Package dashboard_test drives credemu's dashboard (/_emulator/ui/) in a
// real browser, Debian's headless Chromium through chromedp, while a Go
// client calls the emulator beside it: what a developer sees is what the
// emulator holds and what their client did.
package dashboard_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// chromium finds Debian's browser, skipping the test without it unless
// CREDEMU_REQUIRE_CHROMIUM is set (as CI sets it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CREDEMU_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium is not installed (make chromium-deps installs it)")
	}
	t.Skip("chromium is not installed (make chromium-deps installs it)")
	return ""
}

// browse opens a fresh headless browser for one test, bounded in time.
func browse(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// Bounds a browser that hangs; each step waits for what the page shows.
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// run does the steps, failing the test with a screenshot of the page.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		shot, _ := chromedp.Run(ctx, chromedp.FullScreenshot(80))
		if len(shot) > 0 {
			p := filepath.Join(t.TempDir(), "failed.png")
			_ = os.WriteFile(p, shot, 0o644)
			t.Logf("screenshot of the page: %s", p)
		}
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshot writes the page to emulator/ui/screenshots when
// CREDEMU_UI_SCREENSHOTS is set (the README shows them).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("CREDEMU_UI_SCREENSHOTS") == "" {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err = os.WriteFile(filepath.Join("..", "..", "emulator", "ui", "screenshots", name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

func call(t *testing.T, srv *emulatortest.Server, method, path, sandbox string) int {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL()+path, nil)
	req.Header.Set("Authorization", "Token admin-token")
	if sandbox != "" {
		req.Header.Set(emulator.SandboxHeader, sandbox)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

const accounts = "/api/v1/orgs/acme/cloud-accounts"

func tab(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(`nav button[data-tab="` + name + `"]`))
}

// text reads the text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// until waits for a JavaScript predicate to hold on the page.
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(time.Minute))
}

func TestDashboard(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("default"))
	ctx := browse(t)
	ui := srv.URL() + "/_emulator/ui/"

	// The default world, every family, secrets masked.
	run(t, ctx, "world", chromedp.Navigate(ui),
		chromedp.WaitVisible(chromedp.CSS(`section.family[data-family="zstack"] table`)))
	world := text(t, ctx, `#world`)
	for _, want := range []string{"prod-aws", "staging-azure", "alice", "bob-ssh", "administrator@vsphere.local", "*****"} {
		if !strings.Contains(world, want) {
			t.Errorf("the world page lacks %q", want)
		}
	}
	for _, secret := range []string{"prod-main-secret", "Passw0rd!", "admin-token"} {
		if strings.Contains(world, secret) {
			t.Errorf("the world page shows the secret %q", secret)
		}
	}
	screenshot(t, ctx, "world")

	// A request made by a client appears in the live journal.
	run(t, ctx, "journal tab", tab("journal"), chromedp.WaitVisible(chromedp.CSS(`#tab-journal`)))
	if got := call(t, srv, "GET", accounts+"?page=0", ""); got != 200 {
		t.Fatalf("client call: %d", got)
	}
	run(t, ctx, "journal entry", until(`[...document.querySelectorAll('#journal tbody td')].some(td => td.textContent.includes('page=0'))`))
	var entry string
	run(t, ctx, "journal detail", chromedp.Click(chromedp.CSS(`#journal tbody tr`)),
		chromedp.WaitVisible(chromedp.CSS(`#journal-entry`)))
	entry = text(t, ctx, `#journal-entry`)
	if !strings.Contains(entry, `"operation": "listCloudAccounts"`) || !strings.Contains(entry, `"responseBody"`) {
		t.Errorf("journal entry as opened: %.300s", entry)
	}
	screenshot(t, ctx, "journal")

	// A fault added in the page fires on the client's next call, and the
	// page counts it.
	run(t, ctx, "add a fault", tab("faults"), until(`document.querySelector('#fault-op option[value="avisi/listCloudAccounts"]') !== null`),
		chromedp.SetValue(chromedp.CSS(`#fault-op`), "avisi/listCloudAccounts"),
		chromedp.SendKeys(chromedp.CSS(`#fault-status`), "503"),
		chromedp.SendKeys(chromedp.CSS(`#fault-name`), "from-the-page"),
		chromedp.Click(chromedp.CSS(`#fault-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#faults tbody tr`)))
	if got := call(t, srv, "GET", accounts, ""); got != 503 {
		t.Errorf("the call after the page's fault: %d, want 503", got)
	}
	if got := call(t, srv, "GET", accounts, ""); got != 200 {
		t.Errorf("the call after the fault's one time: %d, want 200", got)
	}
	run(t, ctx, "fired counter", until(`document.querySelector('#faults td.fired')?.textContent === '1'`))
	screenshot(t, ctx, "faults")
	run(t, ctx, "remove the fault", chromedp.Click(chromedp.CSS(`#faults tbody button`)),
		until(`document.querySelectorAll('#faults tbody tr').length === 0`))

	// Coverage shows called and never-called operations.
	var summary string
	run(t, ctx, "coverage", tab("coverage"), chromedp.WaitVisible(chromedp.CSS(`table.coverage tr.called`)))
	summary = text(t, ctx, `#coverage-summary`)
	if !strings.Contains(summary, "1 of ") {
		t.Errorf("coverage summary %q, want one operation called", summary)
	}
	screenshot(t, ctx, "coverage")

	// The clock moves from the page.
	var now string
	run(t, ctx, "clock", tab("control"), chromedp.WaitVisible(chromedp.CSS(`#clock-now`)),
		chromedp.SendKeys(chromedp.CSS(`#clock-advance`), "240h"), chromedp.Click(chromedp.CSS(`#clock-form button`)),
		until(`document.querySelector('#status').textContent === 'clock advanced'`))
	now = text(t, ctx, `#clock-now`)
	if at, err := time.Parse(time.RFC3339Nano, now); err != nil || time.Until(at) < 239*time.Hour {
		t.Errorf("clock after advancing 240h: %q %v", now, err)
	}

	// The snapshot button downloads the sandbox's world.
	dir := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	run(t, ctx, "download snapshot",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.Click(chromedp.CSS(`#snapshot`)))
	downloaded := false
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download events: %v", err)
		}
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		if err != nil || !strings.Contains(string(data), "idSequence:") || !strings.Contains(string(data), "prod-aws") {
			t.Errorf("downloaded snapshot: %v %.200s", err, data)
		}
		downloaded = true
		break
	}
	if !downloaded {
		t.Fatal("the snapshot was not downloaded")
	}
}

// TestDashboardFollowsTheSandbox: every page shows the sandbox the
// selector names, and a request in that sandbox appears in its journal.
func TestDashboardFollowsTheSandbox(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("default"))
	ctx := browse(t)
	run(t, ctx, "open a sandbox", chromedp.Navigate(srv.URL()+"/_emulator/ui/"),
		chromedp.WaitVisible(chromedp.CSS(`section.family`)),
		chromedp.SendKeys(chromedp.CSS(`#new-sandbox-name`), "team-a"), chromedp.Click(chromedp.CSS(`#new-sandbox button`)),
		until(`document.querySelector('#sandbox').value === 'team-a'`), tab("journal"))
	call(t, srv, "GET", accounts+"?page=7", "")
	call(t, srv, "GET", accounts+"?page=8", "team-a")
	run(t, ctx, "team-a's request", until(`[...document.querySelectorAll('#journal tbody td')].some(td => td.textContent.includes('page=8'))`))
	var rows string
	run(t, ctx, "journal")
	rows = text(t, ctx, `#journal tbody`)
	if strings.Contains(rows, "page=7") {
		t.Error("team-a's journal shows the default sandbox's request")
	}
}

// TestDashboardAsksForTheToken: with --admin-token the page shows nothing
// until it is given the token, then sends it on every call.
func TestDashboardAsksForTheToken(t *testing.T) {
	srv := emulatortest.Start(t, emulator.WithScenario("default"), emulator.WithAdminToken("dash-token"))
	ctx := browse(t)
	var world string
	run(t, ctx, "token prompt", chromedp.Navigate(srv.URL()+"/_emulator/ui/"),
		chromedp.WaitVisible(chromedp.CSS(`#token-dialog[open]`)))
	world = text(t, ctx, `#world`)
	if strings.Contains(world, "prod-aws") {
		t.Error("the world is shown before the token is given")
	}
	screenshot(t, ctx, "token")
	run(t, ctx, "give the token", chromedp.SendKeys(chromedp.CSS(`#token`), "dash-token"),
		chromedp.Click(chromedp.CSS(`#token-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`section.family[data-family="avisi"] table`)))
	world = text(t, ctx, `#world`)
	if !strings.Contains(world, "prod-aws") {
		t.Error("the world is not shown after the token is given")
	}
}

func ptr[T any](v T) *T { return &v }
