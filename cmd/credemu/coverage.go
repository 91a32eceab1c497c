package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/credemu/credemu/emulator"
)

// coverageCmd is "credemu coverage merge": one report from the reports of
// several replicas (GET /_emulator/coverage, or --coverage-out files).
func coverageCmd(args []string, stdout, stderr io.Writer) error {
	fs := newCommand("coverage", "coverage merge [--format json|junit] [--out FILE] REPORT.json...",
		"Merges coverage reports, such as those of the replicas behind one load balancer, into one:\n"+
			"calls, statuses and fault counts are summed per operation; an operation is never called only if no report called it.\n"+
			"Each REPORT is JSON as GET /_emulator/coverage or --coverage-out --coverage-format json write it; - reads standard input.",
		stdout, stderr)
	format := fs.String("format", "json", "output format: json or junit")
	out := fs.String("out", "", "write the merged report to this file instead of standard output")
	fs.examples = []string{
		"credemu coverage merge a.json b.json c.json",
		"credemu coverage merge --format junit --out coverage.xml replica-*.json",
	}
	merge := len(args) > 0 && args[0] == "merge"
	if merge {
		args = args[1:]
	}
	if err := fs.parse(args); err != nil {
		return err
	}
	if !merge {
		return fs.usage("want the subcommand merge and at least one report")
	}
	files := fs.Args()
	if len(files) == 0 {
		return fs.usage("merge: no report files given")
	}
	if *format != "json" && *format != "junit" {
		return fs.usage("--format: %q is not json or junit", *format)
	}
	var reports []emulator.CoverageReport
	for _, f := range files {
		r, err := readCoverage(f)
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	merged := emulator.MergeCoverage(reports...)
	var buf bytes.Buffer
	var err error
	if *format == "junit" {
		err = merged.WriteJUnit(&buf)
	} else {
		err = merged.WriteJSON(&buf)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	return emulator.WriteFileAtomic(*out, buf.Bytes(), 0o644)
}

// readCoverage reads one JSON coverage report, strictly: a file that is not
// one (a JUnit file, another tool's JSON) is refused with its name.
func readCoverage(name string) (emulator.CoverageReport, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return emulator.CoverageReport{}, err
	}
	var r emulator.CoverageReport
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("%s: not a credemu coverage report (JSON): %v", name, err)
	}
	if len(r.APIs) == 0 {
		return r, fmt.Errorf("%s: not a credemu coverage report: no \"apis\"", name)
	}
	for _, a := range r.APIs {
		if a.API == "" {
			return r, fmt.Errorf("%s: an entry of \"apis\" has no \"api\" name", name)
		}
	}
	return r, nil
}
