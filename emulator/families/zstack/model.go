package zstack

import (
	"crypto/sha512"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/credemu/credemu/emulator/api"
)

// javaDate is how ZStack writes dates (Java's default DateFormat, as Gson
// serialises java.sql.Timestamp): "May 3, 2014 12:17:22 PM". ZStack's Go
// SDK parses exactly this shape.
const javaDate = "Jan 2, 2006 3:04:05 PM"

// formatDate writes t as ZStack does: zone-less, in the server's zone loc.
// It is written by hand: time.Format's layout walk was a twentieth of a
// list's time (a virtual ID and each attribute carry two dates).
func formatDate(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	y, mo, d := t.Date()
	if y < 1000 || y > 9999 {
		return t.Format(javaDate)
	}
	h, mi, sec := t.Clock()
	var buf [len("Sep 30, 2006 12:04:05 PM")]byte
	b := append(buf[:0], mo.String()[:3]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, ' ')
	half := "AM"
	if h >= 12 {
		half = "PM"
	}
	if h %= 12; h == 0 {
		h = 12
	}
	b = strconv.AppendInt(b, int64(h), 10)
	b = append(b, ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+sec/10), byte('0'+sec%10), ' ')
	b = append(b, half...)
	return string(b)
}

// AdminAccountUUID is the fixed uuid of ZStack's built-in admin account.
const AdminAccountUUID = "36c27e8ff05c4780bf6d2fa65700f22e"

// Wire types.

// AttributeInventory is an IAM2 virtual ID attribute.
type AttributeInventory struct {
	UUID          string `json:"uuid"`
	Name          string `json:"name"`
	Value         string `json:"value"`
	Type          string `json:"type"`
	VirtualIDUuid string `json:"virtualIDUuid"`
	CreateDate    string `json:"createDate"`
	LastOpDate    string `json:"lastOpDate"`
}

// VirtualIDInventory is an IAM2 virtual ID. Gson leaves out null fields, so
// a virtual ID created without a description has no description key.
type VirtualIDInventory struct {
	UUID        string               `json:"uuid"`
	Name        string               `json:"name"`
	Description *string              `json:"description,omitempty"`
	Type        string               `json:"type"`
	State       string               `json:"state"`
	CreateDate  string               `json:"createDate"`
	LastOpDate  string               `json:"lastOpDate"`
	Attributes  []AttributeInventory `json:"attributes"`
}

// AppendJSON writes a as MarshalJSON would, without reflection.
func (a AttributeInventory) AppendJSON(b []byte) []byte {
	return api.StartObject(b).String("uuid", a.UUID).String("name", a.Name).String("value", a.Value).String("type", a.Type).
		String("virtualIDUuid", a.VirtualIDUuid).String("createDate", a.CreateDate).String("lastOpDate", a.LastOpDate).End()
}

// AppendJSON writes v as MarshalJSON would, without reflection: virtual
// IDs are what ZStack clients query most.
func (v VirtualIDInventory) AppendJSON(b []byte) []byte {
	o := api.StartObject(b).String("uuid", v.UUID).String("name", v.Name)
	if v.Description != nil {
		o = o.String("description", *v.Description)
	}
	return o.String("type", v.Type).String("state", v.State).String("createDate", v.CreateDate).String("lastOpDate", v.LastOpDate).
		Field("attributes", func(b []byte) []byte {
			return api.AppendArray(b, v.Attributes, func(b []byte, a AttributeInventory) []byte { return a.AppendJSON(b) })
		}).End()
}

// SessionInventory is a login session.
type SessionInventory struct {
	UUID        string `json:"uuid"`
	AccountUUID string `json:"accountUuid"`
	UserUUID    string `json:"userUuid"`
	ExpiredDate string `json:"expiredDate"`
	CreateDate  string `json:"createDate"`
}

// Stored types.

type attribute struct {
	UUID    string    `yaml:"uuid,omitempty"`
	Name    string    `yaml:"name,omitempty"`
	Value   string    `yaml:"value,omitempty"`
	Type    string    `yaml:"type,omitempty"` // System or Customized
	Created time.Time `yaml:"created,omitempty"`
	LastOp  time.Time `yaml:"lastOp,omitempty"`
}

type virtualID struct {
	UUID        string  `yaml:"uuid,omitempty"`
	Name        string  `yaml:"name,omitempty"`
	Description *string `yaml:"description,omitempty"`
	// Password is what a login must send: the SHA-512 hex of a scenario
	// password, or the string a client created the virtual ID with.
	Password   string       `yaml:"password,omitempty"`
	State      string       `yaml:"state,omitempty"` // Enabled or Disabled
	Created    time.Time    `yaml:"created,omitempty"`
	LastOp     time.Time    `yaml:"lastOp,omitempty"`
	Attributes []*attribute `yaml:"attributes,omitempty"`
}

func cloneVID(v *virtualID) *virtualID {
	d := *v
	if v.Description != nil {
		s := *v.Description
		d.Description = &s
	}
	d.Attributes = make([]*attribute, len(v.Attributes))
	for i, a := range v.Attributes {
		c := *a
		d.Attributes[i] = &c
	}
	return &d
}

func (v *virtualID) inventory(loc *time.Location) VirtualIDInventory {
	inv := VirtualIDInventory{UUID: v.UUID, Name: v.Name, Description: v.Description, Type: "ZStack",
		State: v.State, CreateDate: formatDate(v.Created, loc), LastOpDate: formatDate(v.LastOp, loc),
		Attributes: make([]AttributeInventory, len(v.Attributes))}
	for i, a := range v.Attributes {
		inv.Attributes[i] = a.inventory(v.UUID, loc)
	}
	return inv
}

func (a *attribute) inventory(vid string, loc *time.Location) AttributeInventory {
	return AttributeInventory{UUID: a.UUID, Name: a.Name, Value: a.Value, Type: a.Type, VirtualIDUuid: vid,
		CreateDate: formatDate(a.Created, loc), LastOpDate: formatDate(a.LastOp, loc)}
}

func (v *virtualID) attribute(uuid string) int {
	return slices.IndexFunc(v.Attributes, func(a *attribute) bool { return a.UUID == uuid })
}

type account struct {
	UUID     string `yaml:"uuid,omitempty"`
	Name     string `yaml:"name,omitempty"`
	Password string `yaml:"password,omitempty"`      // SHA-512 hex of the scenario's password
	Plain    string `yaml:"plainPassword,omitempty"` // the scenario's password, for plainPasswords
	Admin    bool   `yaml:"admin,omitempty"`
}

type session struct {
	UUID        string `yaml:"uuid,omitempty"`
	AccountUUID string `yaml:"accountUuid,omitempty"`
	UserUUID    string `yaml:"userUuid,omitempty"`
	// VirtualID is set for sessions of a virtual ID login.
	VirtualID string    `yaml:"virtualID,omitempty"`
	Admin     bool      `yaml:"admin,omitempty"`
	Created   time.Time `yaml:"created,omitempty"`
	Expires   time.Time `yaml:"expires,omitempty"`
}

func (s *session) inventory(loc *time.Location) SessionInventory {
	return SessionInventory{UUID: s.UUID, AccountUUID: s.AccountUUID, UserUUID: s.UserUUID,
		ExpiredDate: formatDate(s.Expires, loc), CreateDate: formatDate(s.Created, loc)}
}

// sha512Hex is how ZStack clients send passwords.
func sha512Hex(s string) string {
	h := sha512.Sum512([]byte(s))
	return hex.EncodeToString(h[:])
}
