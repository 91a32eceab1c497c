package emulatortest_test

import (
	"testing"

	"github.com/credemu/credemu/emulator"
	"github.com/credemu/credemu/emulator/emulatortest"
)

// BenchmarkStart measures starting an in-process emulator on the default
// scenario (scenario compiled, listener opened) and closing it.
func BenchmarkStart(b *testing.B) {
	emulatortest.Start(b) // schemas compiled once, outside the loop
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.Run("", func(b *testing.B) {})
		srv := emulatortest.Start(b)
		_ = srv.URL()
	}
}

// BenchmarkNew measures emulator.New alone: the set-up beyond the listener.
func BenchmarkNew(b *testing.B) {
	if _, err := emulator.New(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := emulator.New(); err != nil {
			b.Fatal(err)
		}
	}
}
