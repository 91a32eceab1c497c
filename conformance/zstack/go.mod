module github.com/credemu/credemu/conformance/zstack

go 1.26.8

require (
	github.com/credemu/credemu v0.0.0
	github.com/google/go-cmp v0.7.0
	github.com/kataras/golog v0.1.7
	github.com/terraform-zstack-modules/zstack-sdk-go v1.0.1
)

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0 // indirect
	github.com/fatih/color v1.16.0 // indirect
	github.com/fatih/structs v1.1.0 // indirect
	github.com/ghodss/yaml v1.0.0 // indirect
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/kataras/pio v0.0.10 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1 // indirect
	golang.org/x/sys v0.24.0 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
	moul.io/http2curl/v2 v2.3.0 // indirect
)

// The SDK's unmodified source, beside the project as ../shared; credemu itself from this checkout.
replace github.com/terraform-zstack-modules/zstack-sdk-go => ../../../shared/clients/zstack-sdk-go@v1.0.1

replace github.com/credemu/credemu => ../..
