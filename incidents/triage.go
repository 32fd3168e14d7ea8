package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Update is a change an analyst makes to an incident; zero fields change
// nothing.
type Update struct {
	// Status is New, Active or Closed. Closing needs a Classification;
	// reopening a closed incident drops its classification.
	Status   string `json:"status,omitempty"`
	Severity string `json:"severity,omitempty"`
	// Owner assigns the incident to a name (an e-mail address, or any
	// name); "" unassigns it; nil leaves it as it is.
	Owner *string `json:"owner,omitempty"`
	// Classification, ClassificationReason and ClassificationComment go
	// with closing (or with an incident already closed). The reason must
	// belong to the classification; TruePositive and BenignPositive have
	// one each, which is the default.
	Classification        string `json:"classification,omitempty"`
	ClassificationReason  string `json:"classificationReason,omitempty"`
	ClassificationComment string `json:"classificationComment,omitempty"`
	// AddLabels and RemoveLabels add and remove User labels.
	AddLabels    []string `json:"addLabels,omitempty"`
	RemoveLabels []string `json:"removeLabels,omitempty"`
}

// MaxCommentLength is the longest comment, in characters (Sentinel's).
const MaxCommentLength = 30000

// maxLabelLength bounds a label name.
const maxLabelLength = 256

// Update changes an incident on behalf of by and returns it. A change
// that changes nothing appends no SecurityIncident row.
func (s *Service) Update(ctx context.Context, number int64, u Update, by string) (Incident, error) {
	var err error
	pick := func(set []string, v, what string) string {
		if err != nil || strings.TrimSpace(v) == "" {
			return ""
		}
		c, ok := canonical(set, v)
		if !ok {
			err = fmt.Errorf("%w %s %q (want one of %s)", ErrInvalid, what, v, strings.Join(set, ", "))
		}
		return c
	}
	allReasons := []string{SuspiciousActivity, SuspiciousButExpected, IncorrectAlertLogic, InaccurateData}
	status := pick(statuses, u.Status, "status")
	severity := pick(severities, u.Severity, "severity")
	class := pick(classifications, u.Classification, "classification")
	reason := pick(allReasons, u.ClassificationReason, "classification reason")
	if err != nil {
		return Incident{}, err
	}
	for _, l := range append(slices.Clone(u.AddLabels), u.RemoveLabels...) {
		if strings.TrimSpace(l) == "" || utf8.RuneCountInString(l) > maxLabelLength {
			return Incident{}, fmt.Errorf("%w label %q: want 1 to %d characters", ErrInvalid, l, maxLabelLength)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.record(ctx, number)
	if err != nil {
		return Incident{}, err
	}
	before, _ := json.Marshal(r.Incident)
	wasClosed := r.Status == StatusClosed
	if status == "" {
		status = r.Status
	}
	if status == StatusClosed {
		if !wasClosed && class == "" {
			return Incident{}, fmt.Errorf("%w: closing incident %d needs a classification (%s)", ErrInvalid, number, strings.Join(classifications, ", "))
		}
		if class == "" {
			class = r.Classification
		} else if reason == "" && class != r.Classification {
			r.ClassificationReason = ""
		}
		if reason == "" {
			reason = r.ClassificationReason
		}
		if reason, err = reasonFor(class, reason); err != nil {
			return Incident{}, err
		}
		r.Classification, r.ClassificationReason = class, reason
		if u.ClassificationComment != "" || !wasClosed {
			r.ClassificationComment = strings.TrimSpace(u.ClassificationComment)
		}
	} else {
		if class != "" || reason != "" || u.ClassificationComment != "" {
			return Incident{}, fmt.Errorf("%w: a classification goes with closing incident %d (status Closed)", ErrInvalid, number)
		}
		if wasClosed {
			r.reopen()
		}
	}
	r.Status = status
	if severity != "" {
		r.Severity = severity
	}
	if u.Owner != nil {
		r.Owner = OwnerOf(*u.Owner)
	}
	for _, l := range u.AddLabels {
		l = strings.TrimSpace(l)
		if !slices.ContainsFunc(r.Labels, func(x Label) bool { return strings.EqualFold(x.Name, l) }) {
			r.Labels = append(r.Labels, Label{Name: l, Type: LabelUser})
		}
	}
	for _, l := range u.RemoveLabels {
		l = strings.TrimSpace(l)
		r.Labels = slices.DeleteFunc(r.Labels, func(x Label) bool { return strings.EqualFold(x.Name, l) })
	}
	if after, _ := json.Marshal(r.Incident); string(after) == string(before) {
		return r.Incident, nil
	}
	t := changeTime(s.clock(), r.LastModifiedTime)
	if status == StatusClosed && !wasClosed {
		r.ClosedTime = &t
	}
	r.touch(t, by)
	if err := s.save(ctx, []*record{r}, nil); err != nil {
		return Incident{}, err
	}
	return r.Incident, nil
}

// reasonFor checks a classification reason against its classification;
// an empty reason is the classification's only one, if it has one.
func reasonFor(class, reason string) (string, error) {
	allowed := reasons[class]
	switch {
	case reason == "" && len(allowed) == 1:
		return allowed[0], nil
	case reason == "" && len(allowed) > 1:
		return "", fmt.Errorf("%w: %s needs a classification reason (%s)", ErrInvalid, class, strings.Join(allowed, ", "))
	case reason != "" && !slices.Contains(allowed, reason):
		if len(allowed) == 0 {
			return "", fmt.Errorf("%w: %s takes no classification reason", ErrInvalid, class)
		}
		return "", fmt.Errorf("%w: classification reason %s does not go with %s (%s)", ErrInvalid, reason, class, strings.Join(allowed, ", "))
	}
	return reason, nil
}

// touch records a change someone made at t.
func (r *record) touch(t time.Time, by string) {
	r.LastModifiedTime, r.ModifiedBy = t, by
	if r.FirstModifiedTime == nil {
		r.FirstModifiedTime = &t
	}
}

// AddComment adds a comment by by to an incident and returns it.
func (s *Service) AddComment(ctx context.Context, number int64, message, by string) (Comment, error) {
	message = strings.TrimSpace(message)
	if message == "" {
		return Comment{}, fmt.Errorf("%w: empty comment", ErrInvalid)
	}
	if n := utf8.RuneCountInString(message); n > MaxCommentLength {
		return Comment{}, fmt.Errorf("%w: a comment of %d characters (at most %d)", ErrInvalid, n, MaxCommentLength)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.record(ctx, number)
	if err != nil {
		return Comment{}, err
	}
	t := changeTime(s.clock(), r.LastModifiedTime)
	c := Comment{ID: uuid.NewString(), Message: message, CreatedTime: t, Author: Author{Name: by}}
	r.Comments = append(r.Comments, c)
	r.AdditionalData.CommentsCount = len(r.Comments)
	r.touch(t, by)
	if err := s.save(ctx, []*record{r}, nil); err != nil {
		return Comment{}, err
	}
	return c, nil
}
