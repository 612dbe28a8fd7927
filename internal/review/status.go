package review

// Filter selects cases for List. An empty field selects everything.
type Filter struct {
	// Status is a derived status (StatusPending or an outcome), or
	// StatusOpen or StatusClosed.
	Status  string
	Purpose string
	Rule    string
}

// Groups of statuses a Filter can ask for.
const (
	StatusOpen   = "open"   // pending or needs-more-information
	StatusClosed = "closed" // confirmed or rejected
)

// CaseStatus is a case with its status as derived from the decisions.
type CaseStatus struct {
	Case Case
	// Status is StatusPending if the case has no decision, else the
	// latest decision's outcome.
	Status string
	// Latest is the latest decision, or nil.
	Latest *Decision
	// History holds every decision on the case, oldest first.
	History []Decision
}

// Open reports whether the case still awaits a final decision.
func (s CaseStatus) Open() bool { return s.Status == StatusPending || s.Status == OutcomeMoreInfo }

// List returns the cases of queue that f selects, in queue order, each
// with its status derived from decisions.
func List(queue []Case, decisions []Decision, f Filter) []CaseStatus {
	history := map[string][]Decision{}
	for _, d := range decisions {
		history[d.CaseID] = append(history[d.CaseID], d)
	}
	var out []CaseStatus
	for _, c := range queue {
		s := CaseStatus{Case: c, Status: StatusPending, History: history[c.ID]}
		if n := len(s.History); n > 0 {
			s.Latest = &s.History[n-1]
			s.Status = s.Latest.Outcome
		}
		if f.Purpose != "" && c.Purpose != f.Purpose || f.Rule != "" && c.Rule != f.Rule {
			continue
		}
		switch f.Status {
		case "":
		case StatusOpen:
			if !s.Open() {
				continue
			}
		case StatusClosed:
			if s.Open() {
				continue
			}
		default:
			if s.Status != f.Status {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}
