// Package schemas embeds the JSON Schemas (draft 2020-12) that requests and
// responses are checked against: one folder per API family, one file per
// operation, and a responses/ folder per family for response bodies.
package schemas

import "embed"

// FS holds every schema file, addressed as "<family>/<name>.json".
//
//go:embed */*.json */*/*.json
var FS embed.FS
