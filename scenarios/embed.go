// Package scenarios embeds the built-in scenarios (default, empty, large,
// faults) so the binary runs without any file next to it.
package scenarios

import "embed"

// FS holds the built-in scenarios, addressed as "<name>.yaml".
//
//go:embed *.yaml
var FS embed.FS
