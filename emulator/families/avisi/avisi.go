// Package avisi emulates the Avisi Cloud (AME) cloud-accounts API:
// cloud accounts, their cloud credentials, the clusters that use them and
// the cloud profiles they are created from, under /api/v1/orgs/{org}.
package avisi

import (
	"net/http"
	"strings"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Family is the Avisi Cloud API family.
type Family struct {
	family.Base
}

// New returns the Avisi Cloud family.
func New() *Family {
	f := &Family{Base: family.Base{
		FamilyName:   "avisi",
		EmptyState:   func(env api.Env) api.State { return &State{env: env} },
		PathPrefixes: []string{"/api/v1"},
		Secrets:      []string{"accessKeySecret", "clientSecret", "apiKey", "apiToken", "credentialSecret", "credential", "password", "provisionPassword"},
		// Avisi's API runs behind Spring Security, whose StrictHttpFirewall
		// refuses paths that are not normalised.
		Transport: family.Quirks{UncleanPath: strictFirewall},
	}}
	f.Ops = f.operations()
	return f
}

// strictFirewall is Spring Security's StrictHttpFirewall wording.
func strictFirewall(path string) string {
	if strings.Contains(path, "//") {
		return `The request was rejected because the URL contained a potentially malicious String "//"`
	}
	return "The request was rejected because the URL was not normalized."
}

const (
	orgPath     = "/orgs/{organisationSlug}"
	accountPath = orgPath + "/cloud-accounts/{cloudAccountIdentity}"
	credPath    = accountPath + "/credentials/{credentialsIdentity}"
)

func (f *Family) operations() []*api.Operation {
	// Every Avisi operation has a request schema: path and query are
	// checked even where there is no body.
	op := func(id, method, path string, write bool, body api.BodyMode, resp string, h func(*State, *api.Request) (*api.Response, error)) *api.Operation {
		o := family.Op(id, method, path, write, body, resp, h)
		o.Schema = "avisi/" + id
		return o
	}
	ops := []*api.Operation{
		op("listCloudAccounts", http.MethodGet, orgPath+"/cloud-accounts", false, api.BodyNone, "avisi/responses/cloudAccountPage", listCloudAccounts),
		op("createCloudAccount", http.MethodPost, orgPath+"/cloud-accounts", true, api.BodyRequired, "avisi/responses/cloudAccount", createCloudAccount),
		op("getCloudAccount", http.MethodGet, accountPath, false, api.BodyNone, "avisi/responses/cloudAccount", getCloudAccount),
		op("updateCloudAccount", http.MethodPatch, accountPath, true, api.BodyRequired, "avisi/responses/cloudAccount", updateCloudAccount),
		op("deleteCloudAccount", http.MethodDelete, accountPath, true, api.BodyNone, "", deleteCloudAccount),
		op("listCloudAccountClusters", http.MethodGet, accountPath+"/clusters", false, api.BodyNone, "avisi/responses/clusterPage", listClusters),
		op("listCloudCredentials", http.MethodGet, accountPath+"/credentials", false, api.BodyNone, "avisi/responses/cloudCredentialsPage", listCredentials),
		op("deleteCloudCredentials", http.MethodDelete, credPath, true, api.BodyNone, "", deleteCredentials),
		op("setPrimaryCloudCredentials", http.MethodPost, credPath+"/set-primary", true, api.BodyNone, "avisi/responses/cloudAccount", setPrimary),
		op("listCloudProfiles", http.MethodGet, orgPath+"/cloud-profiles", false, api.BodyNone, "avisi/responses/cloudProfilePage", listCloudProfiles),
		op("listCloudProviders", http.MethodGet, orgPath+"/cloud-providers", false, api.BodyNone, "avisi/responses/cloudProviderPage", listCloudProviders),
		op("listCloudProviderRegions", http.MethodGet, orgPath+"/cloud-providers/{cloudProviderSlug}/regions", false, api.BodyNone, "avisi/responses/regionPage", listCloudProviderRegions),
	}
	for _, typ := range credentialTypes {
		typ := typ
		body := api.BodyRequired
		if typ == "dummy" {
			body = api.BodyOptional
		}
		id := "create" + strings.ToUpper(typ[:1]) + typ[1:] + "Credentials"
		ops = append(ops, op(id, http.MethodPost, accountPath+"/credentials/"+typ, true, body,
			"avisi/responses/cloudCredentials",
			func(s *State, r *api.Request) (*api.Response, error) { return createCredentials(s, r, typ) }))
	}
	return ops
}

// Authenticate accepts "Authorization: Token <t>" (what Avisi's Go client
// sends) and "Bearer <t>", then checks the token's organisations and
// read-only flag against the request.
func (f *Family) Authenticate(r *api.Request) error {
	s := r.State.(*State)
	h := r.HTTP.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if h == "" || tok == "" || (!strings.EqualFold(scheme, "Token") && !strings.EqualFold(scheme, "Bearer")) {
		return &api.Error{Kind: api.KindUnauthenticated}
	}
	s.mu.RLock()
	spec, ok := s.tokens[tok]
	s.mu.RUnlock()
	if !ok {
		return &api.Error{Kind: api.KindUnauthenticated, Message: "The access token is invalid or has expired."}
	}
	r.Principal = spec
	if slug := r.Vars["organisationSlug"]; slug != "" && !contains(spec.Organisations, "*") && !contains(spec.Organisations, slug) {
		return &api.Error{Kind: api.KindPermissionDenied}
	}
	if spec.ReadOnly && r.Op != nil && r.Op.Write {
		return &api.Error{Kind: api.KindPermissionDenied, Message: "This access token is read-only."}
	}
	return nil
}

// Render writes a successful answer as plain JSON.
func (f *Family) Render(w http.ResponseWriter, r *api.Request, resp *api.Response) {
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	if resp.Body == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, resp.Body)
}

// defaultMessages are the texts of the API documentation's status table.
var defaultMessages = map[api.Kind]string{
	api.KindInvalidArgument:      "Invalid request parameters. Please review the documentation for valid parameter values.",
	api.KindAlreadyExists:        "The resource already exists.",
	api.KindUnauthenticated:      "Full authentication is required to access this resource.",
	api.KindPermissionDenied:     "You do not have the necessary permissions to access this resource.",
	api.KindNotFound:             "The requested resource could not be found. Please check the resource URL or identifier.",
	api.KindInternal:             "An internal error occurred on the server.",
	api.KindMethodNotAllowed:     "Request method is not supported.",
	api.KindUnsupportedMediaType: "Content type is not supported.",
	api.KindPayloadTooLarge:      "Request body is too large.",
	api.KindUnavailable:          "The service is temporarily unavailable.",
}

// RenderError writes Avisi's error body: {"message": "...", "details": [...]},
// one detail per failing field.
func (f *Family) RenderError(w http.ResponseWriter, r *api.Request, e *api.Error) {
	msg := e.Message
	if msg == "" {
		msg = defaultMessages[e.Kind]
	}
	details := append([]string{}, e.Details...)
	for _, fe := range e.Fields {
		name := fe.Field()
		if name == "" {
			name = fe.Location()
			if name == "body" {
				name = "request body"
			}
		}
		details = append(details, name+": "+fe.Message)
	}
	status := e.StatusOr(e.Kind.DefaultStatus())
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	}
	writeJSON(w, status, errorBody{Message: msg, Details: details})
}

// errorBody is Avisi's error document.
type errorBody struct {
	Message string   `json:"message"`
	Details []string `json:"details"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	api.WriteJSON(w, status, "application/json", v,
		`{"message":"An internal error occurred on the server.","details":["response encoding failed"]}`)
}
