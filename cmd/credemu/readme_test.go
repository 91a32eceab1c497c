package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// scenarioKeys are the top-level keys of a scenario file: a README YAML
// block whose keys are all among them is a scenario.
var scenarioKeys = map[string]bool{"name": true, "description": true, "seed": true, "clock": true, "include": true,
	"avisi": true, "zstack": true, "awx": true, "vsphere": true, "faults": true}

// readmeBlock is a fenced block of the README and the line it starts on.
type readmeBlock struct {
	lang, text string
	line       int
}

func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeBlock
	var cur *readmeBlock
	for i, l := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &readmeBlock{lang: strings.TrimPrefix(l, "```"), line: i + 2}
		case cur != nil && l == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += l + "\n"
		}
	}
	return out
}

// TestReadmeScenariosValidate: every scenario in the README, copied as it
// is into a file, passes credemu validate.
func TestReadmeScenariosValidate(t *testing.T) {
	dir := t.TempDir()
	n := 0
	for _, b := range readmeBlocks(t) {
		if b.lang != "yaml" {
			continue
		}
		var doc map[string]any
		if yaml.Unmarshal([]byte(b.text), &doc) != nil || len(doc) == 0 {
			continue // a playbook (a list) or not YAML on its own
		}
		scenario := true
		for k := range doc {
			scenario = scenario && scenarioKeys[k]
		}
		if !scenario {
			continue
		}
		n++
		file := filepath.Join(dir, fmt.Sprintf("readme-line-%d.yaml", b.line))
		if err := os.WriteFile(file, []byte(b.text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		if code := run([]string{"validate", file}, &out, &errb); code != 0 {
			t.Errorf("README.md:%d: the scenario there does not validate:\n%s", b.line, errb.String())
		}
	}
	if n < 2 {
		t.Errorf("found %d scenarios in the README; the extraction is broken", n)
	}
}

// TestReadmeOneFlagSpelling: the README spells the flags of credemu (and
// credemu-load) --flag, never -flag, on any line that names the command.
func TestReadmeOneFlagSpelling(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	single := regexp.MustCompile(`credemu(?:-load)?(?: [a-z]+)?(?: [^|\n;&` + "`" + `]*?)? -([a-z][a-z-]+)`)
	for i, l := range strings.Split(string(data), "\n") {
		if m := single.FindStringSubmatch(l); m != nil {
			t.Errorf("README.md:%d: -%s should be --%s: %s", i+1, m[1], m[1], l)
		}
	}
}
