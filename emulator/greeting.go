package emulator

import (
	"github.com/credemu/credemu/emulator/family"
)

// Greetings says, for the start-up banner, how to reach each family of a
// started server in the scenario the default sandbox starts from: base
// URL, well-known credentials and one command to try. Families that do not
// greet are left out.
func (s *Server) Greetings() []family.Greeting {
	s.mu.Lock()
	c := s.base
	s.mu.Unlock()
	var out []family.Greeting
	for _, f := range s.families {
		if g, ok := f.(family.Greeter); ok {
			out = append(out, g.Greet(c.worlds[f.Name()], s.URL()))
		}
	}
	return out
}
