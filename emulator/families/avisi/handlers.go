package avisi

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/store"
)

// usedWindow is how recently a cluster must have used an account or a
// credential for the API to refuse deleting it.
const usedWindow = 24 * time.Hour

func notFound(format string, args ...any) error {
	return &api.Error{Kind: api.KindNotFound, Message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return &api.Error{Kind: api.KindInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

// org returns the organisation of the request. Caller holds the lock.
func (s *State) org(r *api.Request) (*org, error) {
	slug := r.Vars["organisationSlug"]
	o := s.orgs[slug]
	if o == nil {
		return nil, notFound("Organisation '%s' not found", slug)
	}
	return o, nil
}

// account returns a copy of the request's account; a caller that changes it
// holds the write lock and stores it back with Put.
func (s *State) account(r *api.Request) (*org, *account, error) {
	return s.lookupAccount(r, (*store.Table[*account]).Get)
}

// accountPeek is account without the copy, for a read under the lock:
// views only read what they point at, and writes replace stored values
// rather than change them.
func (s *State) accountPeek(r *api.Request) (*org, *account, error) {
	return s.lookupAccount(r, (*store.Table[*account]).Peek)
}

func (s *State) lookupAccount(r *api.Request, get func(*store.Table[*account], string) (*account, bool)) (*org, *account, error) {
	o, err := s.org(r)
	if err != nil {
		return nil, nil, err
	}
	id := strings.ToLower(r.Vars["cloudAccountIdentity"])
	a, ok := get(o.accounts, id)
	if !ok {
		return nil, nil, notFound("Cloud account '%s' not found", r.Vars["cloudAccountIdentity"])
	}
	return o, a, nil
}

func ok(body any) (*api.Response, error) {
	return &api.Response{Status: http.StatusOK, Body: body}, nil
}

func noContent() (*api.Response, error) { return &api.Response{Status: http.StatusNoContent}, nil }

var accountSort = sortKeys[*account]{
	"displayName": byString(func(a *account) string { return a.DisplayName }),
	"identity":    byString(func(a *account) string { return a.ID }),
	"enabled":     byBool(func(a *account) bool { return a.Enabled }),
}

func listCloudAccounts(s *State, r *api.Request) (*api.Response, error) {
	p, err := parsePage(r.Query, 20, "CloudAccount", accountSort)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.org(r)
	if err != nil {
		return nil, err
	}
	name, provider := r.Query.Get("display-name"), r.Query.Get("cloud-provider-slug")
	var items []*account
	match := func(a *account) bool {
		if provider == "" {
			return true
		}
		prof := s.profiles[a.Profile]
		return prof != nil && prof.CloudProvider == provider
	}
	if name != "" {
		// Unique per organisation, so the index answers without a scan.
		if id, found := o.byName.Get(name); found {
			if a, _ := o.accounts.Get(id); match(a) {
				items = append(items, a)
			}
		}
	} else if provider == "" && len(p.order) == 0 {
		// Unfiltered and unsorted: walk only up to the end of the page.
		start, end := p.page*p.size, (p.page+1)*p.size
		i := 0
		o.accounts.Scan(func(_ string, a *account) bool {
			if i >= start {
				items = append(items, a)
			}
			i++
			return i < end
		})
		return ok(newPage(s.accountViews(items), p, o.accounts.Len()))
	} else {
		o.accounts.Scan(func(_ string, a *account) bool {
			if match(a) {
				items = append(items, a)
			}
			return true
		})
	}
	total := len(items)
	return ok(newPage(s.accountViews(apply(items, p, accountSort)), p, total))
}

// accountViews renders accounts. Caller holds the lock.
func (s *State) accountViews(accts []*account) []CloudAccountView {
	views := make([]CloudAccountView, len(accts))
	for i, a := range accts {
		views[i] = s.accountView(a)
	}
	return views
}

type createAccountBody struct {
	CloudProfile string            `json:"cloudProfile"`
	DisplayName  string            `json:"displayName"`
	Metadata     map[string]string `json:"metadata"`
}

func createCloudAccount(s *State, r *api.Request) (*api.Response, error) {
	var b createAccountBody
	if err := r.Decode(&b); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.org(r)
	if err != nil {
		return nil, err
	}
	if s.profiles[b.CloudProfile] == nil {
		return nil, &api.Error{Kind: api.KindInvalidArgument, Message: fmt.Sprintf("Cloud profile '%s' does not exist", b.CloudProfile),
			Details: []string{"cloudProfile: unknown cloud profile"}}
	}
	if o.byName.Has(b.DisplayName) {
		return nil, &api.Error{Kind: api.KindAlreadyExists,
			Message: fmt.Sprintf("A cloud account with display name '%s' already exists in organisation '%s'", b.DisplayName, o.slug),
			Details: []string{"displayName: must be unique within the organisation"}}
	}
	a := &account{ID: s.env.IDs.UUID(), DisplayName: b.DisplayName, Enabled: true, Metadata: emptyIfNil(b.Metadata), Profile: b.CloudProfile}
	o.accounts.Put(a.ID, a)
	o.byName.Set(a.DisplayName, a.ID)
	return ok(s.accountView(a))
}

func getCloudAccount(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, a, err := s.accountPeek(r)
	if err != nil {
		return nil, err
	}
	return ok(s.accountView(a))
}

type updateAccountBody struct {
	DisplayName             *string `json:"displayName"`
	Enabled                 *bool   `json:"enabled"`
	PrimaryCloudCredentials *string `json:"primaryCloudCredentials"`
}

// updateCloudAccount applies a PATCH. An empty displayName or
// primaryCloudCredentials means "unchanged": Avisi's Go client always sends
// both, empty when it does not mean to change them.
func updateCloudAccount(s *State, r *api.Request) (*api.Response, error) {
	var b updateAccountBody
	if err := r.Decode(&b); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, a, err := s.account(r)
	if err != nil {
		return nil, err
	}
	if b.DisplayName != nil && *b.DisplayName != "" && *b.DisplayName != a.DisplayName {
		if o.byName.Has(*b.DisplayName) {
			return nil, &api.Error{Kind: api.KindAlreadyExists,
				Message: fmt.Sprintf("A cloud account with display name '%s' already exists in organisation '%s'", *b.DisplayName, o.slug),
				Details: []string{"displayName: must be unique within the organisation"}}
		}
	}
	if b.PrimaryCloudCredentials != nil && *b.PrimaryCloudCredentials != "" {
		id := strings.ToLower(*b.PrimaryCloudCredentials)
		if c, _ := a.credential(id); c == nil {
			return nil, &api.Error{Kind: api.KindInvalidArgument,
				Message: fmt.Sprintf("Cloud credentials '%s' do not belong to cloud account '%s'", *b.PrimaryCloudCredentials, a.ID),
				Details: []string{"primaryCloudCredentials: not a credential of this cloud account"}}
		}
		a.Primary = id
	}
	if b.DisplayName != nil && *b.DisplayName != "" && *b.DisplayName != a.DisplayName {
		o.byName.Delete(a.DisplayName)
		a.DisplayName = *b.DisplayName
		o.byName.Set(a.DisplayName, a.ID)
	}
	if b.Enabled != nil {
		a.Enabled = *b.Enabled
	}
	o.accounts.Put(a.ID, a)
	return ok(s.accountView(a))
}

// recentUser returns a cluster that used the account (and, when credID is
// set, that credential) within the last 24 hours of the sandbox clock.
func recentUser(o *org, accountID, credID string, now time.Time) *cluster {
	for _, c := range o.clusters {
		if c.AccountID != accountID || (credID != "" && c.CredentialID != credID) {
			continue
		}
		if now.Sub(c.LastUsed) < usedWindow {
			return c
		}
	}
	return nil
}

func deleteCloudAccount(s *State, r *api.Request) (*api.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, a, err := s.account(r)
	if err != nil {
		return nil, err
	}
	if c := recentUser(o, a.ID, "", r.Now); c != nil {
		return nil, invalid("Cloud account '%s' was used by cluster '%s' in the last 24 hours and cannot be deleted", a.DisplayName, c.Name)
	}
	o.accounts.Delete(a.ID)
	o.byName.Delete(a.DisplayName)
	return noContent()
}

var clusterSort = sortKeys[ClusterView]{
	"name":      byString(func(c ClusterView) string { return c.Name }),
	"slug":      byString(func(c ClusterView) string { return c.Slug }),
	"status":    byString(func(c ClusterView) string { return c.Status }),
	"createdAt": byString(func(c ClusterView) string { return c.CreatedAt }),
	"identity":  byString(func(c ClusterView) string { return c.Identity }),
}

// pageOf is the preamble every Avisi list shares: read the paging (size is
// the documented default), collect the views under the read lock (collect
// answers the 404s of the path), sort and cut one page.
func pageOf[V any](s *State, r *api.Request, size int, model string, keys sortKeys[V], collect func() ([]V, error)) (*api.Response, error) {
	p, err := parsePage(r.Query, size, model, keys)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	views, err := collect()
	if err != nil {
		return nil, err
	}
	return ok(newPage(apply(views, p, keys), p, len(views)))
}

// listClusters pages the clusters that use the account; the documented
// default is page 0, size 50, ascending.
func listClusters(s *State, r *api.Request) (*api.Response, error) {
	return pageOf(s, r, 50, "ClusterResponse", clusterSort, func() ([]ClusterView, error) {
		o, a, err := s.accountPeek(r)
		if err != nil {
			return nil, err
		}
		var views []ClusterView
		for _, c := range o.clusters {
			if c.AccountID == a.ID {
				views = append(views, s.clusterView(o, c))
			}
		}
		return views, nil
	})
}

var credentialSort = sortKeys[CloudCredentialsView]{
	"displayName": byString(func(c CloudCredentialsView) string { return c.DisplayName }),
	"createdAt":   byString(func(c CloudCredentialsView) string { return c.CreatedAt }),
	"cloudType":   byString(func(c CloudCredentialsView) string { return c.CloudType }),
	"identity":    byString(func(c CloudCredentialsView) string { return c.Identity }),
	"isPrimary":   byBool(func(c CloudCredentialsView) bool { return c.IsPrimary }),
}

func listCredentials(s *State, r *api.Request) (*api.Response, error) {
	return pageOf(s, r, 20, "CloudCredentials", credentialSort, func() ([]CloudCredentialsView, error) {
		_, a, err := s.accountPeek(r)
		if err != nil {
			return nil, err
		}
		views := make([]CloudCredentialsView, len(a.Credentials))
		for i, c := range a.Credentials {
			views[i] = credentialView(a, c)
		}
		return views, nil
	})
}

type createCredentialsBody struct {
	DisplayName string            `json:"displayName"`
	Metadata    map[string]string `json:"metadata"`
	Credentials map[string]any    `json:"credentials"`
}

func createCredentials(s *State, r *api.Request, typ string) (*api.Response, error) {
	var b createCredentialsBody
	if err := r.Decode(&b); err != nil {
		return nil, err
	}
	if typ == "dummy" && b.DisplayName == "" {
		b.DisplayName = "dummy"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, a, err := s.account(r)
	if err != nil {
		return nil, err
	}
	prof := s.profiles[a.Profile]
	if prof == nil || !fitsProfile(typ, prof.Type) {
		pt := "unknown"
		if prof != nil {
			pt = prof.Type
		}
		return nil, invalid("Cannot add %s credentials to cloud account '%s': its cloud profile is of type '%s'", typ, a.DisplayName, pt)
	}
	secrets := map[string]string{}
	for k, v := range b.Credentials {
		if sv, isStr := v.(string); isStr {
			secrets[k] = sv
		}
	}
	c := &credential{ID: s.env.IDs.UUID(), DisplayName: b.DisplayName, Type: typ,
		Metadata: emptyIfNil(b.Metadata), Secrets: secrets, CreatedAt: r.Now}
	a.Credentials = append(a.Credentials, c)
	if a.Primary == "" {
		a.Primary = c.ID
	}
	o.accounts.Put(a.ID, a)
	return ok(credentialView(a, c))
}

func deleteCredentials(s *State, r *api.Request) (*api.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, a, err := s.account(r)
	if err != nil {
		return nil, err
	}
	id := strings.ToLower(r.Vars["credentialsIdentity"])
	c, i := a.credential(id)
	if c == nil {
		return nil, notFound("Cloud credentials '%s' not found", r.Vars["credentialsIdentity"])
	}
	if cl := recentUser(o, a.ID, c.ID, r.Now); cl != nil {
		return nil, invalid("Cloud credentials '%s' were used by cluster '%s' in the last 24 hours and cannot be deleted", c.DisplayName, cl.Name)
	}
	a.Credentials = append(a.Credentials[:i], a.Credentials[i+1:]...)
	if a.Primary == c.ID {
		a.Primary = ""
	}
	o.accounts.Put(a.ID, a)
	return noContent()
}

func setPrimary(s *State, r *api.Request) (*api.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, a, err := s.account(r)
	if err != nil {
		return nil, err
	}
	id := strings.ToLower(r.Vars["credentialsIdentity"])
	if c, _ := a.credential(id); c == nil {
		return nil, notFound("Cloud credentials '%s' not found", r.Vars["credentialsIdentity"])
	}
	a.Primary = id
	o.accounts.Put(a.ID, a)
	return ok(s.accountView(a))
}

var profileSort = sortKeys[*CloudProfile]{
	"displayName": byString(func(p *CloudProfile) string { return p.DisplayName }),
	"identity":    byString(func(p *CloudProfile) string { return p.Identity }),
}

// listCloudProfiles pages the organisation's view of the catalogue.
func listCloudProfiles(s *State, r *api.Request) (*api.Response, error) {
	return pageOf(s, r, 20, "CloudProfile", profileSort, func() ([]*CloudProfile, error) {
		if _, err := s.org(r); err != nil {
			return nil, err
		}
		out := make([]*CloudProfile, 0, len(s.profileOrder))
		for _, id := range s.profileOrder {
			out = append(out, cloneProfile(s.profiles[id]))
		}
		return out, nil
	})
}

var providerSort = sortKeys[CloudProvider]{
	"id":   func(a, b CloudProvider) int { return cmp.Compare(a.ID, b.ID) },
	"name": byString(func(p CloudProvider) string { return p.Name }),
	"slug": byString(func(p CloudProvider) string { return p.Slug }),
}

// listCloudProviders pages the providers behind the catalogue's profiles.
func listCloudProviders(s *State, r *api.Request) (*api.Response, error) {
	return pageOf(s, r, 20, "CloudProvider", providerSort, func() ([]CloudProvider, error) {
		if _, err := s.org(r); err != nil {
			return nil, err
		}
		return slices.Clone(s.providers), nil
	})
}

var regionSort = sortKeys[Region]{
	"id":   func(a, b Region) int { return cmp.Compare(a.ID, b.ID) },
	"name": byString(func(r Region) string { return r.Name }),
	"slug": byString(func(r Region) string { return r.Slug }),
}

// listCloudProviderRegions pages one provider's regions.
func listCloudProviderRegions(s *State, r *api.Request) (*api.Response, error) {
	return pageOf(s, r, 20, "Region", regionSort, func() ([]Region, error) {
		if _, err := s.org(r); err != nil {
			return nil, err
		}
		slug := r.Vars["cloudProviderSlug"]
		if !slices.ContainsFunc(s.providers, func(c CloudProvider) bool { return c.Slug == slug }) {
			return nil, notFound("Cloud provider '%s' not found", slug)
		}
		var out []Region
		for _, reg := range s.regions {
			if reg.Provider == slug {
				out = append(out, reg)
			}
		}
		return out, nil
	})
}
