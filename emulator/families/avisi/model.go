package avisi

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/credemu/credemu/emulator/api"
)

// Wire types: what the API sends, field for field.

// CloudProvider is a profile's cloudProviderResponse.
type CloudProvider struct {
	// ID is an integer: Avisi's Go client has decoded it as one since its
	// first release.
	ID                       int               `json:"id" yaml:"id"`
	Name                     string            `json:"name" yaml:"name"`
	Slug                     string            `json:"slug" yaml:"slug"`
	Available                bool              `json:"available" yaml:"available"`
	CreatedAt                string            `json:"createdAt" yaml:"createdAt"`
	ModifiedAt               string            `json:"modifiedAt" yaml:"modifiedAt"`
	Logo                     string            `json:"logo" yaml:"logo"`
	BYON                     bool              `json:"byon" yaml:"byon"`
	Type                     string            `json:"type" yaml:"type"`
	PrivateClusterSetting    string            `json:"privateClusterSetting" yaml:"privateClusterSetting"`
	Metadata                 map[string]string `json:"metadata" yaml:"metadata"`
	ValidateCloudCredentials bool              `json:"validateCloudCredentials" yaml:"validateCloudCredentials"`
}

// Region is one entry of a profile's cloudProviderRegionResponses.
type Region struct {
	ID         int    `json:"id" yaml:"id"`
	Provider   string `json:"provider" yaml:"provider"`
	Name       string `json:"name" yaml:"name"`
	Slug       string `json:"slug" yaml:"slug"`
	Available  bool   `json:"available" yaml:"available"`
	Restricted bool   `json:"restricted" yaml:"restricted"`
	CreatedAt  string `json:"createdAt" yaml:"createdAt"`
	ModifiedAt string `json:"modifiedAt" yaml:"modifiedAt"`
}

// CloudProfile is a cloud profile as the API renders it (and as accounts
// embed it).
type CloudProfile struct {
	Identity                     string            `json:"identity" yaml:"identity"`
	DisplayName                  string            `json:"displayName" yaml:"displayName"`
	Type                         string            `json:"type" yaml:"type"`
	CloudProvider                string            `json:"cloudProvider" yaml:"cloudProvider"`
	Enabled                      bool              `json:"enabled" yaml:"enabled"`
	Public                       bool              `json:"public" yaml:"public"`
	Metadata                     map[string]string `json:"metadata" yaml:"metadata"`
	Regions                      []string          `json:"regions" yaml:"regions"`
	CloudProviderResponse        CloudProvider     `json:"cloudProviderResponse" yaml:"cloudProviderResponse"`
	CloudProviderRegionResponses []Region          `json:"cloudProviderRegionResponses" yaml:"cloudProviderRegionResponses"`

	// json holds the profile's JSON once first written, for a profile of a
	// loaded world (nil for any other, such as a copy, which may change).
	json *encodedOnce
}

// encodedOnce is JSON encoded on first use and kept: a loaded world's
// profiles never change, and every sandbox of the world shares them.
// Encoding on first use keeps it off start-up, where it was a fifth of a
// millisecond (the encoder's first look at the type).
type encodedOnce struct {
	once sync.Once
	b    []byte
}

// AppendJSON appends p's JSON: for a loaded world's profile, the bytes
// encoded the first time; for any other, encoded now.
func (p *CloudProfile) AppendJSON(b []byte) []byte {
	if e := p.json; e != nil {
		e.once.Do(func() { e.b, _ = api.MarshalJSON(p) })
		return append(b, e.b...)
	}
	out, _ := api.MarshalJSON(p)
	return append(b, out...)
}

// CloudAccountView is the CloudAccount object of the API.
type CloudAccountView struct {
	Identity                        string            `json:"identity"`
	DisplayName                     string            `json:"displayName"`
	Enabled                         bool              `json:"enabled"`
	Metadata                        map[string]string `json:"metadata"`
	PrimaryCloudCredentialsIdentity string            `json:"primaryCloudCredentialsIdentity,omitempty"`
	CloudProfile                    *CloudProfile     `json:"cloudProfile"`
}

// AppendJSON writes v as MarshalJSON would, without reflection: accounts
// are what Avisi clients list and read most.
func (v CloudAccountView) AppendJSON(b []byte) []byte {
	o := api.StartObject(b).String("identity", v.Identity).String("displayName", v.DisplayName).Bool("enabled", v.Enabled).
		Field("metadata", func(b []byte) []byte {
			return api.AppendMap(b, v.Metadata, func(b []byte, _ string, s string) []byte { return api.AppendString(b, s) })
		})
	if v.PrimaryCloudCredentialsIdentity != "" {
		o = o.String("primaryCloudCredentialsIdentity", v.PrimaryCloudCredentialsIdentity)
	}
	if v.CloudProfile == nil {
		return o.Raw("cloudProfile", []byte("null")).End()
	}
	return o.Field("cloudProfile", v.CloudProfile.AppendJSON).End()
}

// CloudCredentialsView is the CloudCredentials object of the API.
type CloudCredentialsView struct {
	Identity             string            `json:"identity"`
	DisplayName          string            `json:"displayName"`
	CloudType            string            `json:"cloudType"`
	CloudAccountIdentity string            `json:"cloudAccountIdentity"`
	CreatedAt            string            `json:"createdAt"`
	Metadata             map[string]string `json:"metadata"`
	IsPrimary            bool              `json:"isPrimary"`
}

// Reference is the short form of an account or credential inside a cluster.
type Reference struct {
	Identity    string `json:"identity"`
	DisplayName string `json:"displayName"`
}

// ClusterView is the ClusterResponse object of the API.
type ClusterView struct {
	Identity            string     `json:"identity"`
	Name                string     `json:"name"`
	Slug                string     `json:"slug"`
	Description         string     `json:"description"`
	CustomerSlug        string     `json:"customerSlug"`
	EnvironmentSlug     string     `json:"environmentSlug"`
	Status              string     `json:"status"`
	DesiredStatus       string     `json:"desiredStatus,omitempty"`
	ProvisionStatus     string     `json:"provisionStatus"`
	CloudProvider       string     `json:"cloudProvider"`
	Region              string     `json:"region"`
	Version             string     `json:"version"`
	HighlyAvailable     bool       `json:"highlyAvailable"`
	AutoUpgrade         bool       `json:"autoUpgrade"`
	DeleteProtection    bool       `json:"deleteProtection"`
	CNI                 string     `json:"cni"`
	PodSecurityStandard string     `json:"podSecurityStandardsProfile"`
	CloudAccount        Reference  `json:"cloudAccount"`
	CloudCredentials    *Reference `json:"cloudCredentials,omitempty"`
	CreatedAt           string     `json:"createdAt"`
	ModifiedAt          string     `json:"modifiedAt"`
}

// Stored types: what the emulator keeps, secrets included.

type credential struct {
	ID          string            `yaml:"identity,omitempty"`
	DisplayName string            `yaml:"displayName,omitempty"`
	Type        string            `yaml:"type,omitempty"`
	Metadata    map[string]string `yaml:"metadata,omitempty"`
	Secrets     map[string]string `yaml:"secrets,omitempty"` // never rendered
	CreatedAt   time.Time         `yaml:"createdAt,omitempty"`
}

type account struct {
	ID          string            `yaml:"identity,omitempty"`
	DisplayName string            `yaml:"displayName,omitempty"`
	Enabled     bool              `yaml:"enabled,omitempty"`
	Metadata    map[string]string `yaml:"metadata,omitempty"`
	Profile     string            `yaml:"cloudProfile,omitempty"`       // profile identity
	Primary     string            `yaml:"primaryCredentials,omitempty"` // credential id or ""
	Credentials []*credential     `yaml:"credentials,omitempty"`
}

func (c *credential) clone() *credential {
	d := *c
	d.Metadata = maps.Clone(c.Metadata)
	d.Secrets = maps.Clone(c.Secrets)
	return &d
}

func cloneAccount(a *account) *account {
	d := *a
	d.Metadata = maps.Clone(a.Metadata)
	d.Credentials = make([]*credential, len(a.Credentials))
	for i, c := range a.Credentials {
		d.Credentials[i] = c.clone()
	}
	return &d
}

func (a *account) credential(id string) (*credential, int) {
	for i, c := range a.Credentials {
		if c.ID == id {
			return c, i
		}
	}
	return nil, -1
}

type cluster struct {
	ID           string    `yaml:"identity,omitempty"`
	Name         string    `yaml:"name,omitempty"`
	Slug         string    `yaml:"slug,omitempty"`
	Description  string    `yaml:"description,omitempty"`
	Environment  string    `yaml:"environment,omitempty"`
	Status       string    `yaml:"status,omitempty"`
	Region       string    `yaml:"region,omitempty"`
	Version      string    `yaml:"version,omitempty"`
	HA           bool      `yaml:"highlyAvailable,omitempty"`
	AccountID    string    `yaml:"cloudAccount,omitempty"`
	CredentialID string    `yaml:"credentials,omitempty"`
	CreatedAt    time.Time `yaml:"createdAt,omitempty"`
	// LastUsedAgo is how long before the sandbox's start the cluster last
	// used its account; LastUsed is that instant on the sandbox clock.
	LastUsedAgo time.Duration `yaml:"-"`
	LastUsed    time.Time     `yaml:"lastUsed,omitempty"`
}

func cloneProfile(p *CloudProfile) *CloudProfile {
	d := *p
	d.json = nil // a copy may be changed: it is encoded afresh
	d.Metadata = maps.Clone(p.Metadata)
	d.Regions = slices.Clone(p.Regions)
	d.CloudProviderResponse.Metadata = maps.Clone(p.CloudProviderResponse.Metadata)
	d.CloudProviderRegionResponses = slices.Clone(p.CloudProviderRegionResponses)
	return &d
}

// timeFormat is how Avisi writes instants (RFC 3339, UTC, seconds).
const timeFormat = "2006-01-02T15:04:05Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func emptyIfNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
