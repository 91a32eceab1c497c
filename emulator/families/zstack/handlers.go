package zstack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/credemu/credemu/emulator/api"
	"github.com/credemu/credemu/emulator/ids"
	"github.com/credemu/credemu/emulator/store"
)

func inventory(v any) (*api.Response, error) {
	return &api.Response{Status: http.StatusOK, Body: map[string]any{"inventory": v}}, nil
}

func empty() (*api.Response, error) {
	return &api.Response{Status: http.StatusOK, Body: map[string]any{}}, nil
}

func invalid(format string, args ...any) error {
	return &api.Error{Kind: api.KindInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

// nameKey is how names are indexed: ZStack's MySQL columns compare without
// regard to case (utf8_general_ci), so ALICE finds, and collides with, alice.
func nameKey(name string) string { return strings.ToLower(name) }

func principal(r *api.Request) *session { return r.Principal.(*session) }

// requireAdmin refuses IAM2 writes by sessions that may not manage IAM2.
func requireAdmin(r *api.Request) error {
	if p := principal(r); !p.Admin {
		return &api.Error{Kind: api.KindPermissionDenied,
			Message: fmt.Sprintf("the session[uuid:%s] has no permission to call %s", p.UUID, r.Op.ID)}
	}
	return nil
}

// vid returns a copy of the virtual ID in the path. Caller holds the lock.
func (s *State) vid(uuid string) (*virtualID, error) {
	v, ok := s.vids.Get(uuid)
	if !ok {
		return nil, &api.Error{Kind: api.KindNotFound, Message: fmt.Sprintf("invalid field[uuid], resource[uuid:%s, type:IAM2VirtualIDVO] not found", uuid)}
	}
	return v, nil
}

// checkPassword compares what a login sent with what is stored: the
// SHA-512 hex a client sends, or (with plainPasswords) the plain text.
func (s *State) checkPassword(stored, sent string) bool {
	return sent == stored || (s.cfg.plainPasswords && sha512Hex(sent) == stored)
}

type loginBody struct {
	LogInByAccount struct {
		AccountName string `json:"accountName"`
		Password    string `json:"password"`
	} `json:"logInByAccount"`
}

func logIn(s *State, r *api.Request) (*api.Response, error) {
	var b loginBody
	if err := r.Decode(&b); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[b.LogInByAccount.AccountName]
	if a == nil || !(b.LogInByAccount.Password == a.Password || (s.cfg.plainPasswords && b.LogInByAccount.Password == a.Plain)) {
		return nil, &api.Error{Kind: api.KindUnauthenticated, Code: "ID.1000", Message: "wrong account name or password"}
	}
	s.purge(r.Now)
	ss := &session{UUID: ids.Token(), AccountUUID: a.UUID, UserUUID: a.UUID, Admin: a.Admin,
		Created: r.Now, Expires: r.Now.Add(s.cfg.sessionTimeout)}
	s.sessions[ss.UUID] = ss
	return inventory(ss.inventory(s.cfg.loc))
}

// validateSession answers whether a session is alive; ZStack serves it
// without a login, and an unknown or expired session is simply not valid.
func validateSession(s *State, r *api.Request) (*api.Response, error) {
	s.mu.RLock()
	ss := s.sessions[r.Vars["uuid"]]
	valid := ss != nil && r.Now.Before(ss.Expires)
	s.mu.RUnlock()
	return &api.Response{Status: http.StatusOK, Body: map[string]bool{"valid": valid}}, nil
}

func logOut(s *State, r *api.Request) (*api.Response, error) {
	s.mu.Lock()
	delete(s.sessions, r.Vars["uuid"])
	s.mu.Unlock()
	return empty()
}

type attrBody struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type createBody struct {
	Params struct {
		Name         string     `json:"name"`
		Password     string     `json:"password"`
		Description  *string    `json:"description"`
		Attributes   []attrBody `json:"attributes"`
		ResourceUUID string     `json:"resourceUuid"`
	} `json:"params"`
}

func createVirtualID(s *State, r *api.Request) (*api.Response, error) {
	b, err := adminBody[createBody](r)
	if err != nil {
		return nil, err
	}
	p := b.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName.Has(nameKey(p.Name)) {
		return nil, &api.Error{Kind: api.KindAlreadyExists, Message: fmt.Sprintf("duplicate virtualID name[%s]", p.Name)}
	}
	uuid := p.ResourceUUID
	if uuid == "" {
		uuid = s.env.IDs.Hex32()
	} else if s.vids.Has(uuid) {
		return nil, invalid("resource uuid[%s] is already used by another resource", uuid)
	}
	v := &virtualID{UUID: uuid, Name: p.Name, Description: p.Description, Password: p.Password,
		State: "Enabled", Created: r.Now, LastOp: r.Now}
	for _, a := range p.Attributes {
		v.Attributes = append(v.Attributes, &attribute{UUID: s.env.IDs.Hex32(), Name: a.Name, Value: a.Value, Type: "Customized", Created: r.Now, LastOp: r.Now})
	}
	s.putVID(v)
	return inventory(v.inventory(s.cfg.loc))
}

var vidResource = &resource{
	class: "org.zstack.iam2.entity.IAM2VirtualIDInventory",
	fields: map[string]bool{"uuid": true, "name": true, "description": true, "type": true, "state": true, "createDate": true, "lastOpDate": true,
		"attributes.uuid": true, "attributes.name": true, "attributes.value": true, "attributes.type": true},
	dates: map[string]bool{"createDate": true, "lastOpDate": true},
}

// vidReader reads one field of a virtual ID at a time, as vidRecord has
// it. A query points one reader at each virtual ID in turn; single values
// come back in a buffer the next read reuses, which matching allows (it
// only looks at the values of one field at a time). Caller holds the lock.
type vidReader struct {
	v   *virtualID
	loc *time.Location
	one [1]string
}

func (r *vidReader) fields(name string) ([]string, bool) {
	v := r.v
	single := func(s string) ([]string, bool) {
		r.one[0] = s
		return r.one[:], true
	}
	switch name {
	case "uuid":
		return single(v.UUID)
	case "name":
		return single(v.Name)
	case "type":
		return single("ZStack")
	case "state":
		return single(v.State)
	case "createDate":
		return single(formatDate(v.Created, r.loc))
	case "lastOpDate":
		return single(formatDate(v.LastOp, r.loc))
	case "description":
		if v.Description == nil {
			return nil, false
		}
		return single(*v.Description)
	}
	if len(v.Attributes) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(v.Attributes))
	for _, a := range v.Attributes {
		switch name {
		case "attributes.uuid":
			out = append(out, a.UUID)
		case "attributes.name":
			out = append(out, a.Name)
		case "attributes.value":
			out = append(out, a.Value)
		case "attributes.type":
			out = append(out, a.Type)
		default:
			return nil, false
		}
	}
	return out, true
}

func vidRecord(v *virtualID, loc *time.Location) record {
	r := &vidReader{v: v, loc: loc}
	rec := record{}
	for f := range vidResource.fields {
		if vals, ok := r.fields(f); ok {
			rec[f] = slices.Clone(vals) // the reader reuses its buffer
		}
	}
	return rec
}

// queryVirtualIDs answers both the query and GET of one virtual ID, which
// ZStack serves as a query with uuid= (an unknown uuid is an empty list).
func queryVirtualIDs(s *State, r *api.Request) (*api.Response, error) {
	q, qerr := parseQuery(r.Query)
	if qerr != nil {
		return nil, qerr
	}
	if uuid := r.Vars["uuid"]; uuid != "" {
		*q = query{conds: []condition{{name: "uuid", op: "=", value: uuid}}, limit: defaultLimit}
	}
	if err := vidResource.check(q); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var hits []*virtualID
	reader := &vidReader{loc: s.cfg.loc}
	get := reader.fields
	consider := func(v *virtualID) {
		reader.v = v
		if vidResource.matchFields(get, q.conds) {
			hits = append(hits, v)
		}
	}
	// Exact name and uuid conditions are answered from indexes, not a scan.
	if id, ok := indexed(q.conds, "uuid", nil); ok {
		if v, found := s.vids.Get(id); found {
			consider(v)
		}
	} else if id, ok := indexed(q.conds, "name", s.byName); ok {
		if v, found := s.vids.Get(id); found {
			consider(v)
		}
	} else if len(q.conds) == 0 && q.sortBy == "" {
		// No condition and no sort: walk only to the end of the window.
		total := s.vids.Len()
		if q.count {
			return &api.Response{Status: http.StatusOK, Body: map[string]any{"total": total}}, nil
		}
		start, end := max(q.start, 0), total
		if q.limit >= 0 {
			end = min(total, start+q.limit)
		}
		invs := []any{}
		i := 0
		s.vids.Scan(func(_ string, v *virtualID) bool {
			if i >= start && i < end {
				invs = append(invs, projected(v.inventory(s.cfg.loc), q.fields))
			}
			i++
			return i < end
		})
		return replyPage(invs, total, q.replyWithCount), nil
	} else {
		// Without a sort or a total, the matches past the window are never
		// read: stop at the window's end.
		stop := -1
		if q.sortBy == "" && !q.count && !q.replyWithCount && q.limit >= 0 {
			stop = max(q.start, 0) + q.limit
		}
		s.vids.Scan(func(_ string, v *virtualID) bool { consider(v); return len(hits) != stop })
	}
	if q.sortBy != "" {
		// Records only for the matches, and only to sort them.
		recs := make([]record, len(hits))
		pos := map[string]int{}
		for i, v := range hits {
			recs[i] = vidRecord(v, s.cfg.loc)
			pos[v.UUID] = i
		}
		vidResource.sortRecords(recs, q.sortBy, q.desc)
		sorted := make([]*virtualID, len(hits))
		for i, rec := range recs {
			sorted[i] = hits[pos[rec["uuid"][0]]]
		}
		hits = sorted
	}
	total := len(hits)
	if q.count {
		return &api.Response{Status: http.StatusOK, Body: map[string]any{"total": total}}, nil
	}
	page := window(hits, q.start, q.limit)
	invs := make([]any, len(page))
	for i, v := range page {
		invs[i] = projected(v.inventory(s.cfg.loc), q.fields)
	}
	return replyPage(invs, total, q.replyWithCount), nil
}

// queryReply is the answer to a query: the page, and the number of all
// matches when the query asked for it. A struct, not a map, with the keys
// in the order a map's sorted keys would have.
type queryReply struct {
	Inventories []any `json:"inventories"`
	Total       *int  `json:"total,omitempty"`
}

// AppendJSON writes r as MarshalJSON would, each inventory through its
// own AppendJSON where it has one.
func (r queryReply) AppendJSON(b []byte) []byte {
	o := api.StartObject(b).Field("inventories", func(b []byte) []byte { return api.AppendArray(b, r.Inventories, api.AppendValue) })
	if r.Total != nil {
		o = o.Int("total", *r.Total)
	}
	return o.End()
}

func replyPage(invs []any, total int, withCount bool) *api.Response {
	reply := queryReply{Inventories: invs}
	if withCount {
		reply.Total = &total
	}
	return &api.Response{Status: http.StatusOK, Body: reply}
}

// indexed finds an exact-match condition on field and resolves it through
// index (nil: the value is the key itself); both compare without case.
func indexed(conds []condition, field string, index *store.Index[string, string]) (string, bool) {
	for _, c := range conds {
		if c.name == field && c.op == "=" {
			if index == nil {
				return strings.ToLower(c.value), true
			}
			id, ok := index.Get(nameKey(c.value))
			if !ok {
				return "", true // no such name: nothing matches
			}
			return id, true
		}
	}
	return "", false
}

func projected(inv any, fields []string) any {
	if len(fields) == 0 {
		return inv
	}
	var m map[string]any
	b, _ := json.Marshal(inv)
	_ = json.Unmarshal(b, &m)
	return project(m, fields)
}

type updateBody struct {
	Update struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Password    *string `json:"password"`
		OldPassword *string `json:"oldPassword"`
	} `json:"updateIAM2VirtualID"`
}

// updateVirtualID renames, redescribes or changes the password of a virtual
// ID. Admins may change any; a virtual ID's own session may change itself
// and must then prove the old password. A wrong oldPassword is refused.
func updateVirtualID(s *State, r *api.Request) (*api.Response, error) {
	var b updateBody
	if err := r.Decode(&b); err != nil {
		return nil, err
	}
	u := b.Update
	p := principal(r)
	self := p.VirtualID != "" && p.VirtualID == r.Vars["uuid"]
	if !self {
		if err := requireAdmin(r); err != nil {
			return nil, err
		}
	}
	return s.editVID(r, func(v *virtualID) error {
		if u.Password != nil {
			if self && u.OldPassword == nil {
				return invalid("oldPassword is required to change the password of the virtual ID itself")
			}
			if u.OldPassword != nil && !s.checkPassword(v.Password, *u.OldPassword) {
				return invalid("old password is not correct")
			}
			v.Password = *u.Password
		}
		if u.Name != nil && *u.Name != v.Name {
			if id, dup := s.byName.Get(nameKey(*u.Name)); dup && id != v.UUID {
				return &api.Error{Kind: api.KindAlreadyExists, Message: fmt.Sprintf("duplicate virtualID name[%s]", *u.Name)}
			}
			s.byName.Delete(nameKey(v.Name))
			v.Name = *u.Name
		}
		if u.Description != nil {
			v.Description = u.Description
		}
		return nil
	})
}

// editVID is the body of a write to the virtual ID the path names: under
// the write lock, edit changes a copy of it, which is stored stamped with
// the request's time; the answer is its inventory.
func (s *State) editVID(r *api.Request, edit func(v *virtualID) error) (*api.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.vid(r.Vars["uuid"])
	if err != nil {
		return nil, err
	}
	if err := edit(v); err != nil {
		return nil, err
	}
	v.LastOp = r.Now
	s.putVID(v)
	return inventory(v.inventory(s.cfg.loc))
}

type stateBody struct {
	Change struct {
		StateEvent string `json:"stateEvent"`
	} `json:"changeIAM2VirtualIDState"`
}

// changeState enables or disables a virtual ID; disabling ends its sessions.
func changeState(s *State, r *api.Request) (*api.Response, error) {
	b, err := adminBody[stateBody](r)
	if err != nil {
		return nil, err
	}
	return s.editVID(r, func(v *virtualID) error {
		if strings.EqualFold(b.Change.StateEvent, "disable") {
			v.State = "Disabled"
			s.dropSessionsOf(v.UUID)
		} else {
			v.State = "Enabled"
		}
		return nil
	})
}

// deleteVirtualID deletes in either deleteMode. Deleting one that does not
// exist succeeds when the id is a well-formed uuid (ZStack's
// successIfResourceNotExisting); any other id is SYS.1003.
func deleteVirtualID(s *State, r *api.Request) (*api.Response, error) {
	if err := requireAdmin(r); err != nil {
		return nil, err
	}
	id := r.Vars["uuid"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.vids.Get(id); ok {
		s.deleteVID(v)
		return empty()
	}
	if !isHex32(id) {
		return nil, &api.Error{Kind: api.KindNotFound,
			Message: fmt.Sprintf("invalid field[uuid], resource[uuid:%s, type:IAM2VirtualIDVO] not found", id)}
	}
	return empty()
}

type addAttrsBody struct {
	Params struct {
		Attributes []attrBody `json:"attributes"`
	} `json:"params"`
}

func addAttributes(s *State, r *api.Request) (*api.Response, error) {
	b, err := adminBody[addAttrsBody](r)
	if err != nil {
		return nil, err
	}
	if _, err := s.editVID(r, func(v *virtualID) error {
		for _, a := range b.Params.Attributes {
			v.Attributes = append(v.Attributes, &attribute{UUID: s.env.IDs.Hex32(), Name: a.Name, Value: a.Value, Type: "Customized", Created: r.Now, LastOp: r.Now})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return empty() // ZStack's APIAddAttributesToIAM2VirtualIDEvent carries nothing
}

// removeAttributes removes the attributes named by attributeUuids; uuids
// that are not attributes of this virtual ID are ignored.
func removeAttributes(s *State, r *api.Request) (*api.Response, error) {
	if err := requireAdmin(r); err != nil {
		return nil, err
	}
	ids := r.Query["attributeUuids"]
	if len(ids) == 0 {
		return nil, &api.Error{Kind: api.KindInvalidArgument, Message: "field[attributeUuids] of message[org.zstack.iam2.api.APIRemoveAttributesFromIAM2VirtualIDMsg] is mandatory, can not be null"}
	}
	if _, err := s.editVID(r, func(v *virtualID) error {
		v.Attributes = slices.DeleteFunc(v.Attributes, func(a *attribute) bool {
			if slices.Contains(ids, a.UUID) {
				s.attrOwner.Delete(a.UUID)
				return true
			}
			return false
		})
		return nil
	}); err != nil {
		return nil, err
	}
	return empty()
}

var attrResource = &resource{
	class:  "org.zstack.iam2.entity.IAM2VirtualIDAttributeInventory",
	fields: map[string]bool{"uuid": true, "name": true, "value": true, "type": true, "virtualIDUuid": true, "createDate": true, "lastOpDate": true},
	dates:  map[string]bool{"createDate": true, "lastOpDate": true},
}

func queryAttributes(s *State, r *api.Request) (*api.Response, error) {
	q, qerr := parseQuery(r.Query)
	if qerr != nil {
		return nil, qerr
	}
	if err := attrResource.check(q); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var recs []record
	invs := map[string]AttributeInventory{}
	s.vids.Scan(func(_ string, v *virtualID) bool {
		for _, a := range v.Attributes {
			inv := a.inventory(v.UUID, s.cfg.loc)
			rec := record{"uuid": {inv.UUID}, "name": {inv.Name}, "value": {inv.Value}, "type": {inv.Type},
				"virtualIDUuid": {v.UUID}, "createDate": {inv.CreateDate}, "lastOpDate": {inv.LastOpDate}}
			if attrResource.match(rec, q.conds) {
				recs = append(recs, rec)
				invs[inv.UUID] = inv
			}
		}
		return true
	})
	if q.sortBy != "" {
		attrResource.sortRecords(recs, q.sortBy, q.desc)
	}
	total := len(recs)
	if q.count {
		return &api.Response{Status: http.StatusOK, Body: map[string]any{"total": total}}, nil
	}
	page := window(recs, q.start, q.limit)
	out := make([]any, len(page))
	for i, rec := range page {
		out[i] = projected(invs[rec["uuid"][0]], q.fields)
	}
	return replyPage(out, total, q.replyWithCount), nil
}

type updateAttrBody struct {
	Update struct {
		Value string `json:"value"`
	} `json:"updateIAM2VirtualIDAttribute"`
}

func updateAttribute(s *State, r *api.Request) (*api.Response, error) {
	b, err := adminBody[updateAttrBody](r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.Vars["uuid"]
	owner, ok := s.attrOwner.Get(id)
	if !ok {
		return nil, &api.Error{Kind: api.KindNotFound, Message: fmt.Sprintf("invalid field[uuid], resource[uuid:%s, type:IAM2VirtualIDAttributeVO] not found", id)}
	}
	v, err := s.vid(owner)
	if err != nil {
		return nil, err
	}
	i := v.attribute(id)
	v.Attributes[i].Value = b.Update.Value
	v.Attributes[i].LastOp = r.Now
	s.putVID(v)
	return inventory(v.Attributes[i].inventory(v.UUID, s.cfg.loc))
}

type vidLoginBody struct {
	Login struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	} `json:"loginIAM2VirtualID"`
}

// loginVirtualID opens a session for a virtual ID; a disabled one cannot
// log in.
func loginVirtualID(s *State, r *api.Request) (*api.Response, error) {
	var b vidLoginBody
	if err := r.Decode(&b); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byName.Get(nameKey(b.Login.Name))
	var v *virtualID
	if ok {
		v, _ = s.vids.Get(id)
	}
	if v == nil || !s.checkPassword(v.Password, b.Login.Password) {
		return nil, &api.Error{Kind: api.KindUnauthenticated, Code: "ID.1000", Message: "wrong virtual ID name or password"}
	}
	if v.State != "Enabled" {
		return nil, &api.Error{Kind: api.KindUnauthenticated, Code: "ID.1000", Message: fmt.Sprintf("virtual ID[name:%s] is disabled", v.Name)}
	}
	s.purge(r.Now)
	ss := &session{UUID: ids.Token(), AccountUUID: s.adminAccountUUID(), UserUUID: v.UUID, VirtualID: v.UUID,
		Created: r.Now, Expires: r.Now.Add(s.cfg.sessionTimeout)}
	s.sessions[ss.UUID] = ss
	return inventory(ss.inventory(s.cfg.loc))
}

// adminAccountUUID is the account virtual ID sessions belong to: the first
// admin account by name, else ZStack's built-in admin uuid.
func (s *State) adminAccountUUID() string {
	names := make([]string, 0, len(s.accounts))
	for n, a := range s.accounts {
		if a.Admin {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return AdminAccountUUID
	}
	sort.Strings(names)
	return s.accounts[names[0]].UUID
}

// adminBody is the preamble of ZStack's admin writes: the session must be
// an admin's, and the body must decode into B.
func adminBody[B any](r *api.Request) (*B, error) {
	if err := requireAdmin(r); err != nil {
		return nil, err
	}
	b := new(B)
	if err := r.Decode(b); err != nil {
		return nil, err
	}
	return b, nil
}
