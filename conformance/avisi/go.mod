module github.com/credemu/credemu/conformance/avisi

go 1.26.8

require (
	github.com/avisi-cloud/go-client v0.17.0
	github.com/credemu/credemu v0.0.0
	github.com/google/go-cmp v0.7.0
)

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0 // indirect
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1 // indirect
	golang.org/x/net v0.43.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

// The client's unmodified source, beside the project as ../shared; credemu itself from this checkout.
replace github.com/avisi-cloud/go-client => ../../../shared/clients/avisi-go-client@v0.17.0

replace github.com/credemu/credemu => ../..
