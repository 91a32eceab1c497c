module github.com/credemu/credemu/conformance/awx

go 1.26.8

require (
	github.com/adeo-opensource/goawx v1.0.2
	github.com/credemu/credemu v0.0.0
	github.com/denouche/goawx v0.22.0
)

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

// goawx's unmodified source, beside the project as ../shared; credemu itself from this checkout.
replace github.com/adeo-opensource/goawx => ../../../shared/clients/goawx@v1.0.2

replace github.com/credemu/credemu => ../..
