module github.com/credemu/credemu/conformance/vsphere

go 1.26.8

require (
	github.com/credemu/credemu v0.0.0
	github.com/google/go-cmp v0.7.0
	github.com/vmware/govmomi v0.56.0
)

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0 // indirect
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

// credemu itself from this checkout; govmomi from the Go module proxy.
replace github.com/credemu/credemu => ../..
