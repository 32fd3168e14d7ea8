package incidents

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrNotFound is returned for an unknown incident.
var ErrNotFound = errors.New("not found")

// ErrInvalid marks a request that cannot be carried out as given: an
// unknown status or classification, closing without a classification, a
// rule whose grouping Sentinel would refuse.
var ErrInvalid = errors.New("invalid")

// Statuses, as SecurityIncident.Status takes them.
const (
	StatusNew    = "New"
	StatusActive = "Active"
	StatusClosed = "Closed"
)

// Severities, from the least severe.
const (
	SeverityInformational = "Informational"
	SeverityLow           = "Low"
	SeverityMedium        = "Medium"
	SeverityHigh          = "High"
)

// Classifications of a closed incident.
const (
	Undetermined   = "Undetermined"
	TruePositive   = "TruePositive"
	BenignPositive = "BenignPositive"
	FalsePositive  = "FalsePositive"
)

// Classification reasons, each belonging to one classification.
const (
	SuspiciousActivity    = "SuspiciousActivity"    // TruePositive
	SuspiciousButExpected = "SuspiciousButExpected" // BenignPositive
	IncorrectAlertLogic   = "IncorrectAlertLogic"   // FalsePositive
	InaccurateData        = "InaccurateData"        // FalsePositive
)

// Label types.
const (
	LabelUser         = "User"
	LabelAutoAssigned = "AutoAssigned"
)

// ProviderName is SecurityIncident.ProviderName of every incident, as
// Sentinel writes it.
const ProviderName = "Azure Sentinel"

// MaxAlerts is how many alerts one incident holds; the next matching
// alert opens a new incident.
const MaxAlerts = 150

// Lookback bounds of a rule's grouping, as Sentinel's.
const (
	MinLookback = 5 * time.Minute
	MaxLookback = 7 * 24 * time.Hour
)

// Matching methods of a rule's grouping.
const (
	AllEntities = "AllEntities"
	AnyAlert    = "AnyAlert"
	Selected    = "Selected"
)

// Alert details a Selected grouping may compare.
const (
	DetailDisplayName = "DisplayName"
	DetailSeverity    = "Severity"
)

var (
	statuses        = []string{StatusNew, StatusActive, StatusClosed}
	severities      = []string{SeverityInformational, SeverityLow, SeverityMedium, SeverityHigh}
	classifications = []string{Undetermined, TruePositive, BenignPositive, FalsePositive}
	reasons         = map[string][]string{
		TruePositive:   {SuspiciousActivity},
		BenignPositive: {SuspiciousButExpected},
		FalsePositive:  {IncorrectAlertLogic, InaccurateData},
	}
)

// Rule is what incidents need to know of the rule that raised alerts.
type Rule struct {
	// ID goes into RelatedAnalyticRuleIds; incidents group only alerts
	// of the same rule ID.
	ID, Name string
	// Description is the incidents' description when the alert has none.
	Description string
	// CreateIncident false: alerts only, no incident.
	CreateIncident bool
	Grouping       Grouping
}

// Grouping is a rule's groupingConfiguration.
type Grouping struct {
	Enabled bool
	// Lookback limits a group to alerts raised within it of the
	// incident's first alert: 5 minutes to 7 days.
	Lookback time.Duration
	// Matching is AllEntities, AnyAlert or Selected.
	Matching string
	// Entities are the entity types a Selected grouping compares, as
	// Sentinel names them (Account, Host, IP, Process, File, FileHash,
	// URL, DNS, RegistryKey, …); they match the alerts' entity types
	// ignoring case and hyphens (account, registry-key).
	Entities []string
	// AlertDetails are DisplayName and/or Severity.
	AlertDetails []string
	// CustomDetails are custom detail names: keys of the alert's
	// ExtendedProperties, or of the "Custom Details" object Sentinel
	// keeps there.
	CustomDetails []string
	// Reopen reopens a closed matching incident instead of opening a new
	// one.
	Reopen bool
}

// Validate reports why Sentinel would refuse the grouping.
func (g Grouping) Validate() error {
	if !g.Enabled {
		return nil
	}
	if g.Lookback < MinLookback || g.Lookback > MaxLookback {
		return fmt.Errorf("%w grouping: lookback %s is outside 5m..168h (7 days)", ErrInvalid, g.Lookback)
	}
	switch g.Matching {
	case AllEntities, AnyAlert:
	case Selected:
		if len(g.Entities) == 0 && len(g.AlertDetails) == 0 && len(g.CustomDetails) == 0 {
			return fmt.Errorf("%w grouping: Selected matching needs at least one entity type, alert detail or custom detail", ErrInvalid)
		}
		for _, d := range g.AlertDetails {
			if _, ok := canonical([]string{DetailDisplayName, DetailSeverity}, d); !ok {
				return fmt.Errorf("%w grouping: alert detail %q (want DisplayName or Severity)", ErrInvalid, d)
			}
		}
		for _, e := range g.Entities {
			if strings.TrimSpace(e) == "" {
				return fmt.Errorf("%w grouping: empty entity type", ErrInvalid)
			}
		}
	default:
		return fmt.Errorf("%w grouping: matching method %q (want AllEntities, AnyAlert or Selected)", ErrInvalid, g.Matching)
	}
	return nil
}

// Incident is one incident's current state.
type Incident struct {
	// Name is IncidentName, a GUID; Number is IncidentNumber, counted up
	// from 1 in the workspace.
	Name   string `json:"name"`
	Number int64  `json:"incidentNumber"`

	Title       string `json:"title"`
	Description string `json:"description"`
	Severity    string `json:"severity"`
	Status      string `json:"status"`
	// Classification, ClassificationReason and ClassificationComment are
	// set when the incident is closed.
	Classification        string `json:"classification,omitempty"`
	ClassificationReason  string `json:"classificationReason,omitempty"`
	ClassificationComment string `json:"classificationComment,omitempty"`

	Owner    Owner     `json:"owner"`
	Labels   []Label   `json:"labels"`
	Comments []Comment `json:"comments"`

	// AlertIDs are the alerts' SystemAlertIds, in the order they joined.
	AlertIDs               []string `json:"alertIds"`
	RelatedAnalyticRuleIDs []string `json:"relatedAnalyticRuleIds"`

	// FirstActivityTime and LastActivityTime bound the alerts' activity
	// (their StartTime and EndTime).
	FirstActivityTime time.Time `json:"firstActivityTimeUtc"`
	LastActivityTime  time.Time `json:"lastActivityTimeUtc"`
	CreatedTime       time.Time `json:"createdTimeUtc"`
	// LastModifiedTime is the TimeGenerated of the latest SecurityIncident
	// row; FirstModifiedTime is when someone first changed the incident
	// (an update or a comment; alerts joining do not count), nil until
	// then.
	LastModifiedTime  time.Time  `json:"lastModifiedTimeUtc"`
	FirstModifiedTime *time.Time `json:"firstModifiedTimeUtc,omitempty"`
	ClosedTime        *time.Time `json:"closedTimeUtc,omitempty"`
	// ModifiedBy made the latest change: "token/NAME" through the API,
	// "cli/USER" from the command line, "rule/NAME" when alerts joined.
	ModifiedBy string `json:"modifiedBy"`

	ProviderName       string         `json:"providerName"`
	ProviderIncidentID string         `json:"providerIncidentId"`
	IncidentURL        string         `json:"incidentUrl"`
	AdditionalData     AdditionalData `json:"additionalData"`
}

// Owner is who the incident is assigned to; all nil when unassigned, as
// Sentinel writes it.
type Owner struct {
	ObjectID          *string `json:"objectId"`
	Email             *string `json:"email"`
	AssignedTo        *string `json:"assignedTo"`
	UserPrincipalName *string `json:"userPrincipalName"`
}

// OwnerOf returns the owner for a name: an e-mail address (which is also
// the user principal name) or any other name; "" is unassigned.
func OwnerOf(name string) Owner {
	name = strings.TrimSpace(name)
	if name == "" {
		return Owner{}
	}
	o := Owner{AssignedTo: &name}
	if strings.Contains(name, "@") {
		o.Email, o.UserPrincipalName = &name, &name
	}
	return o
}

// Name is who the incident is assigned to ("" when unassigned).
func (o Owner) Name() string {
	for _, p := range []*string{o.AssignedTo, o.UserPrincipalName, o.Email, o.ObjectID} {
		if p != nil && *p != "" {
			return *p
		}
	}
	return ""
}

// Label is an incident label.
type Label struct {
	Name string `json:"labelName"`
	// Type is User for labels people add, AutoAssigned for automation's.
	Type string `json:"labelType"`
}

// Comment is an incident comment.
type Comment struct {
	ID          string    `json:"id"`
	Message     string    `json:"message"`
	CreatedTime time.Time `json:"createdTimeUtc"`
	Author      Author    `json:"author"`
}

// Author wrote a comment.
type Author struct {
	// Name is the principal: "token/NAME" or "cli/USER".
	Name string `json:"name"`
}

// AdditionalData is SecurityIncident.AdditionalData.
type AdditionalData struct {
	AlertsCount       int      `json:"alertsCount"`
	BookmarksCount    int      `json:"bookmarksCount"`
	CommentsCount     int      `json:"commentsCount"`
	AlertProductNames []string `json:"alertProductNames"`
	Tactics           []string `json:"tactics"`
	Techniques        []string `json:"techniques"`
}

// canonical finds s in set ignoring case and returns the set's spelling.
func canonical(set []string, s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, v := range set {
		if strings.EqualFold(v, s) {
			return v, true
		}
	}
	return "", false
}

// severityRank orders severities from Informational (0) to High (3);
// an unknown severity is -1.
func severityRank(s string) int {
	for i, v := range severities {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return -1
}

// addUnique appends the values of add that s lacks (ignoring case).
func addUnique(s []string, add ...string) []string {
	for _, v := range add {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !slices.ContainsFunc(s, func(x string) bool { return strings.EqualFold(x, v) }) {
			s = append(s, v)
		}
	}
	return s
}
