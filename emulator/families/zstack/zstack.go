// Package zstack emulates ZStack's IAM2 virtual ID API under /zstack/v1:
// account sessions, virtual IDs and their attributes, ZStack's query
// language, and both reply modes (synchronous, and 202 with API jobs).
package zstack

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/family"
)

// Family is the ZStack API family.
type Family struct {
	family.Base
}

// New returns the ZStack family: everything under /zstack. ZStack's REST
// server reads a body whatever its Content-Type says, with Gson, which
// reads a number or a boolean into a String field as its text.
func New() *Family {
	f := &Family{Base: family.Base{
		FamilyName:   "zstack",
		EmptyState:   func(env api.Env) api.State { return &State{env: env} },
		PathPrefixes: []string{"/zstack"},
		Secrets:      []string{"password", "oldPassword"},
		Transport:    family.Quirks{AnyContentType: true, ScalarsAsStrings: true},
	}}
	f.Ops = f.operations()
	return f
}

// Operation paths are relative to the /zstack prefix.
const (
	v1   = "/v1"
	vids = v1 + "/iam2/virtual-ids"
)

// noAuth lists the operations ZStack serves without a session.
var noAuth = map[string]bool{"logInByAccount": true, "logOut": true, "validateSession": true, "loginVirtualID": true, "getApiJob": true}

func (f *Family) operations() []*api.Operation {
	op := func(id, method, path string, write bool, body api.BodyMode, resp string, h func(*State, *api.Request) (*api.Response, error)) *api.Operation {
		o := family.Op(id, method, path, write, body, resp, h)
		if body != api.BodyNone || id == "deleteVirtualID" {
			o.Schema = "zstack/" + id
		}
		return o
	}
	ops := []*api.Operation{
		op("logInByAccount", http.MethodPut, v1+"/accounts/login", false, api.BodyRequired, "zstack/responses/session", logIn),
		op("logOut", http.MethodDelete, v1+"/accounts/sessions/{uuid}", false, api.BodyNone, "zstack/responses/empty", logOut),
		op("validateSession", http.MethodGet, v1+"/accounts/sessions/{uuid}/valid", false, api.BodyNone, "zstack/responses/valid", validateSession),
		op("createVirtualID", http.MethodPost, vids, true, api.BodyRequired, "zstack/responses/virtualID", createVirtualID),
		op("queryVirtualID", http.MethodGet, vids, false, api.BodyNone, "zstack/responses/virtualIDs", queryVirtualIDs),
		op("getVirtualID", http.MethodGet, vids+"/{uuid}", false, api.BodyNone, "zstack/responses/virtualIDs", queryVirtualIDs),
		{ID: "virtualIDActions", Method: http.MethodPut, Path: vids + "/{uuid}/actions", Actions: map[string]*api.Operation{
			"updateIAM2VirtualID":      op("updateVirtualID", http.MethodPut, vids+"/{uuid}/actions", true, api.BodyRequired, "zstack/responses/virtualID", updateVirtualID),
			"changeIAM2VirtualIDState": op("changeVirtualIDState", http.MethodPut, vids+"/{uuid}/actions", true, api.BodyRequired, "zstack/responses/virtualID", changeState),
		}},
		op("deleteVirtualID", http.MethodDelete, vids+"/{uuid}", true, api.BodyNone, "zstack/responses/empty", deleteVirtualID),
		op("addAttributesToVirtualID", http.MethodPost, vids+"/{uuid}/attributes", true, api.BodyRequired, "zstack/responses/empty", addAttributes),
		op("removeAttributesFromVirtualID", http.MethodDelete, vids+"/{uuid}/attributes", true, api.BodyNone, "zstack/responses/empty", removeAttributes),
		op("queryVirtualIDAttribute", http.MethodGet, vids+"/attributes", false, api.BodyNone, "zstack/responses/attributes", queryAttributes),
		{ID: "virtualIDAttributeActions", Method: http.MethodPut, Path: vids + "/attributes/{uuid}/actions", Actions: map[string]*api.Operation{
			"updateIAM2VirtualIDAttribute": op("updateVirtualIDAttribute", http.MethodPut, vids+"/attributes/{uuid}/actions", true, api.BodyRequired, "zstack/responses/attribute", updateAttribute),
		}},
		op("loginVirtualID", http.MethodPut, vids+"/login", false, api.BodyRequired, "zstack/responses/session", loginVirtualID),
		op("getApiJob", http.MethodGet, v1+"/api-jobs/{uuid}", false, api.BodyNone, "", getJob),
	}
	for _, o := range ops {
		// A login's answer holds the new session's uuid: a credential.
		o.SecretResponse = o.ID == "logInByAccount" || o.ID == "loginVirtualID"
	}
	return ops
}

// Authenticate checks "Authorization: OAuth <session uuid>" the way ZStack's
// REST server and identity interceptor do: a missing or malformed header is
// a plain-text 400; an unknown or expired session is ID.1001.
func (f *Family) Authenticate(r *api.Request) error {
	if noAuth[r.Op.ID] {
		return nil
	}
	h := strings.TrimSpace(r.HTTP.Header.Get("Authorization"))
	if r.HTTP.Header.Get("Authorization") == "" {
		return &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: "missing header 'Authorization'"}
	}
	if !strings.HasPrefix(h, "OAuth") {
		return &api.Error{Kind: api.KindInvalidArgument, Transport: true, Message: "Authorization type must be 'OAuth'"}
	}
	id := strings.TrimSpace(strings.Replace(h, "OAuth", "", 1))
	s := r.State.(*State)
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[id]
	if ss == nil || !r.Now.Before(ss.Expires) {
		delete(s.sessions, id)
		return &api.Error{Kind: api.KindUnauthenticated, Code: "ID.1001", Message: fmt.Sprintf("Session expired or invalid, session uuid[%s]", id)}
	}
	cp := *ss
	r.Principal = &cp
	return nil
}

// Render writes a successful answer as JSON.
func (f *Family) Render(w http.ResponseWriter, r *api.Request, resp *api.Response) {
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	if resp.Body == nil {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(status)
		return
	}
	api.WriteJSON(w, status, "application/json;charset=UTF-8", resp.Body, encodeFailed)
}

// encodeFailed is the body of an answer that did not encode.
const encodeFailed = `{"error":{"code":"SYS.1006","description":"An operation failed","details":"response encoding failed"}}`

// encode renders a ZStack body; an encoding failure becomes SYS.1006.
func encode(v any) []byte {
	b, err := api.MarshalJSON(v)
	if err != nil {
		return []byte(encodeFailed)
	}
	return b
}

// codes maps each kind to ZStack's error code, and each code to the
// description ZStack gives it.
var (
	kindCodes = map[api.Kind]string{
		api.KindInvalidArgument: "SYS.1007", api.KindAlreadyExists: "SYS.1007", api.KindNotFound: "SYS.1003",
		api.KindUnauthenticated: "ID.1001", api.KindPermissionDenied: "ID.1002", api.KindInternal: "SYS.1006",
		api.KindUnavailable: "SYS.1006", api.KindMethodNotAllowed: "SYS.1007", api.KindUnsupportedMediaType: "SYS.1007",
		api.KindPayloadTooLarge: "SYS.1007",
	}
	codeDescriptions = map[string]string{
		"SYS.1003": "Resource not found", "SYS.1006": "An operation failed", "SYS.1007": "One or more API argument is invalid",
		"ID.1000": "Authentication error", "ID.1001": "Session expired", "ID.1002": "Permission denied",
	}
)

// ErrorCode is ZStack's error object.
type ErrorCode struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Details     string `json:"details"`
}

// errorDoc returns the status and body ZStack sends for an API error: 503
// (or a fault rule's status) with {"error": {...}}. A schema failure is
// worded as ZStack's API message validator words its first failure.
func errorDoc(e *api.Error, r *api.Request) (int, []byte) {
	code := e.Code
	if code == "" {
		code = kindCodes[e.Kind]
	}
	details := e.Message
	if len(e.Fields) > 0 {
		details = validatorDetail(e.Fields[0], messageClasses[r.Op.ID], r.JSON)
	}
	if details == "" {
		details = codeDescriptions[code]
	}
	return e.StatusOr(http.StatusServiceUnavailable), encode(map[string]ErrorCode{
		"error": {Code: code, Description: codeDescriptions[code], Details: details},
	})
}

// messageClasses are the Java API messages behind the operations, which
// ZStack names in its validation errors.
var messageClasses = map[string]string{
	"logInByAccount":                "org.zstack.header.identity.APILogInByAccountMsg",
	"createVirtualID":               "org.zstack.iam2.api.APICreateIAM2VirtualIDMsg",
	"updateVirtualID":               "org.zstack.iam2.api.APIUpdateIAM2VirtualIDMsg",
	"changeVirtualIDState":          "org.zstack.iam2.api.APIChangeIAM2VirtualIDStateMsg",
	"deleteVirtualID":               "org.zstack.iam2.api.APIDeleteIAM2VirtualIDMsg",
	"addAttributesToVirtualID":      "org.zstack.iam2.api.APIAddAttributesToIAM2VirtualIDMsg",
	"removeAttributesFromVirtualID": "org.zstack.iam2.api.APIRemoveAttributesFromIAM2VirtualIDMsg",
	"updateVirtualIDAttribute":      "org.zstack.iam2.api.APIUpdateIAM2VirtualIDAttributeMsg",
	"loginVirtualID":                "org.zstack.iam2.api.APILoginIAM2VirtualIDMsg",
}

// Compiled on first use: only error bodies need them, and every launch
// would pay for them in package initialisation.
var (
	lengthRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\d+), but got (\d+)`) })
	enumRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`) })
)

// validatorDetail words a schema failure as ZStack's ApiMessageProcessor
// does (org.zstack.portal.apimediator.ApiMessageProcessorImpl).
func validatorDetail(fe api.FieldError, class string, body any) string {
	field := fe.Field()
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	if field == "" {
		field = fe.Location()
	}
	switch fe.Keyword {
	case "required":
		return fmt.Sprintf("field[%s] of message[%s] is mandatory, can not be null", field, class)
	case "maxLength":
		if m := lengthRE().FindStringSubmatch(fe.Message); m != nil {
			return fmt.Sprintf("field[%s] of message[%s] exceeds max length of string. expected was <= %s, actual was %s", field, class, m[1], m[2])
		}
	case "minLength":
		if m := lengthRE().FindStringSubmatch(fe.Message); m != nil {
			if m[2] == "0" {
				return fmt.Sprintf("field[%s] cannot be an empty string", field)
			}
			return fmt.Sprintf("field[%s] of message[%s] less than the min length of string. expected was >= %s, actual was %s", field, class, m[1], m[2])
		}
	case "enum":
		var vals []string
		for _, m := range enumRE().FindAllStringSubmatch(fe.Message, -1) {
			if v := strings.ToLower(m[1]); !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		return fmt.Sprintf("valid value for field[%s] of message[%s] are [%s], but %v found", field, class, strings.Join(vals, ", "), valueAt(body, fe))
	case "pattern":
		return fmt.Sprintf("valid regex value for field[%s] of message[%s] are %s, but %v found", field, class, strings.TrimPrefix(fe.Message, "does not match pattern "), valueAt(body, fe))
	}
	return fmt.Sprintf("field[%s] of message[%s] %s", field, class, fe.Message)
}

// valueAt returns the request body's value at the failing field.
func valueAt(body any, fe api.FieldError) any {
	if fe.Location() != "body" {
		return nil
	}
	v := body
	for _, k := range strings.Split(fe.Field(), ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// plainStatuses are the statuses ZStack's REST layer itself answers, in
// plain text; a fault rule naming only one of them gets that answer.
var plainStatuses = map[int]bool{400: true, 404: true, 405: true, 413: true, 415: true, 500: true}

// RenderError writes plain text for transport errors (as ZStack's REST
// server does) and the {"error": ...} envelope for API errors.
func (f *Family) RenderError(w http.ResponseWriter, r *api.Request, e *api.Error) {
	if e.Transport || (e.Injected && e.KindImplied && plainStatuses[e.Status]) {
		status, msg := e.StatusOr(e.Kind.DefaultStatus()), e.Message
		path := r.HTTP.URL.Path
		switch {
		case e.Kind == api.KindNotFound && msg == "":
			msg = "no api mapping to " + strings.TrimPrefix(path, "/zstack")
		case e.Kind == api.KindMethodNotAllowed:
			msg = fmt.Sprintf("The method[%s] is not allowed for the path[%s]", r.HTTP.Method, path)
		case msg == "":
			msg = http.StatusText(status)
		}
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
		return
	}
	status, body := errorDoc(e, r)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
