// Personal access tokens: /api/v2/tokens/ and a user's tokens.

package awx

import (
	"fmt"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/ids"
	"github.com/credemu/credemu/emulator/store"
)

// token is a personal OAuth2 token: the value is shown once, on creation.
type token struct {
	ID          int       `yaml:"id,omitempty"`
	Token       string    `yaml:"token,omitempty"`
	User        string    `yaml:"user,omitempty"`
	Scope       string    `yaml:"scope,omitempty"`
	Description string    `yaml:"description,omitempty"`
	Created     time.Time `yaml:"created,omitempty"`
	Expires     time.Time `yaml:"expires,omitempty"`
}

// tokenYears is AWX's default lifetime of a personal token
// (ACCESS_TOKEN_EXPIRE_SECONDS: a thousand years, in effect never).
const tokenYears = 1000

var tokenListSpec = &listSpec{
	model:  "OAuth2AccessToken",
	fields: map[string]kind{"id": kInt, "description": kString, "scope": kString, "created": kTime, "modified": kTime},
	order:  []string{"id"},
}

func (s *State) tokenView(t *token, show bool) map[string]any {
	u := s.userByName(t.User)
	uid := 0
	if u != nil {
		uid = u.ID
	}
	value := "************"
	if show {
		value = t.Token
	}
	sf := map[string]any{"user_capabilities": caps{Edit: true, Delete: true}}
	if u != nil {
		sf["user"] = map[string]any{"id": u.ID, "username": u.Username, "first_name": u.FirstName, "last_name": u.LastName}
	}
	return map[string]any{"id": t.ID, "type": "o_auth2_access_token", "url": fmt.Sprintf("/api/v2/tokens/%d/", t.ID),
		"related":        map[string]string{"user": userURL(uid), "activity_stream": fmt.Sprintf("/api/v2/tokens/%d/activity_stream/", t.ID)},
		"summary_fields": sf, "created": formatTime(t.Created), "modified": formatTime(t.Created), "description": t.Description,
		"user": uid, "token": value, "refresh_token": nil, "application": nil, "expires": formatTime(t.Expires), "scope": t.Scope}
}

func (t *token) id() int { return t.ID }

// clone copies a token (it holds nothing shared).
func (t *token) clone() *token { return store.Copy(t) }

// listTokens lists the caller's own tokens (a superuser's: all).
func listTokens(s *State, r *api.Request) (*api.Response, error) {
	return listAll(s, r, tokenListSpec, func(me *user) (seq[*token], error) {
		byID := make(map[int]*token, len(s.tokens))
		for _, t := range s.tokens {
			byID[t.ID] = t
		}
		return visibleOf(byID, func(t *token) bool { return me.Superuser || t.User == me.Username }), nil
	}, tokenRow, (*token).id, func(t *token, _ *user) any { return s.tokenView(t, false) })
}

// tokenRow is what a token list filters and orders on.
func tokenRow(t *token) row {
	return row{"id": t.ID, "description": t.Description, "scope": t.Scope, "created": t.Created, "modified": t.Created}
}

// createToken makes a personal token for the caller. A token made with a
// read token is refused by the scope check before this.
func createToken(s *State, r *api.Request) (*api.Response, error) {
	b := body(r)
	scope := strOf(b["scope"])
	if scope == "" {
		scope = "write"
	}
	if scope != "read" && scope != "write" {
		return nil, fieldErr("scope", "Must be a simple space-separated string with allowed scopes ['read', 'write'].")
	}
	if v, has := b["application"]; has && v != nil {
		return nil, invalidPK("application", v)
	}
	s.lockWrite()
	defer s.mu.Unlock()
	me := caller(r)
	t := &token{ID: s.nextToken, Token: ids.Alnum(30), User: me.Username, Scope: scope,
		Description: strOf(b["description"]), Created: r.Now, Expires: r.Now.AddDate(tokenYears, 0, 0)}
	s.nextToken++
	s.tokens[t.Token] = t
	return created(fmt.Sprintf("/api/v2/tokens/%d/", t.ID), s.tokenView(t, true))
}

func (s *State) tokenOf(r *api.Request) (*token, error) {
	id := atoiOr(r.Vars["id"])
	me := caller(r)
	for _, t := range s.tokens {
		if t.ID == id {
			return visible(t, true, me.Superuser || t.User == me.Username)
		}
	}
	return nil, notFound()
}

func getToken(s *State, r *api.Request) (*api.Response, error) {
	return getOne(s, r, s.tokenOf, func(t *token, _ *user) any { return s.tokenView(t, false) })
}

func deleteToken(s *State, r *api.Request) (*api.Response, error) {
	return editOne(s, r, s.tokenOf, func(t *token) (*api.Response, error) {
		delete(s.tokens, t.Token)
		return noContent()
	})
}
