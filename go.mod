module github.com/credemu/credemu

go 1.26.8

require (
	github.com/brianvoe/gofakeit/v6 v6.28.0
	github.com/google/go-cmp v0.7.0
	github.com/gorilla/mux v1.8.1
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/kr/pretty v0.3.0 // indirect
	gopkg.in/check.v1 v1.0.0-20180628173108-788fd7840127 // indirect
)

require github.com/rogpeppe/go-internal v1.16.0 // indirect
