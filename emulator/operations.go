package emulator

import "github.com/credemu/credemu/emulator/family"

// OperationInfo describes one operation as fault rules, verify and the
// coverage report name it.
type OperationInfo struct {
	// API is the family's name ("avisi").
	API string `json:"api"`
	// ID is the operation id ("createCloudAccount").
	ID string `json:"operation"`
	// Method is the HTTP method.
	Method string `json:"method"`
	// Paths are the full path templates it answers on (vSphere's operations
	// have one under /rest and one under /api).
	Paths []string `json:"paths"`
	// Write is whether it changes state.
	Write bool `json:"write"`
}

// Operations lists every operation of families, in each family's order,
// one entry per operation id.
func Operations(families []family.Family) []OperationInfo {
	var out []OperationInfo
	for _, f := range families {
		at := map[string]int{}
		for _, op := range allOperations(f.Operations()) {
			prefix := op.Prefix
			if prefix == "" {
				prefix = f.Prefixes()[0]
			}
			if i, ok := at[op.ID]; ok {
				out[i].Paths = append(out[i].Paths, prefix+op.Path)
				continue
			}
			at[op.ID] = len(out)
			out = append(out, OperationInfo{API: f.Name(), ID: op.ID, Method: op.Method, Paths: []string{prefix + op.Path}, Write: op.Write})
		}
	}
	return out
}
