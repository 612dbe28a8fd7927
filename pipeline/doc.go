// Package pipeline is datamatch's orchestration API: it runs the stages —
// load and validate, screen out restricted people, pseudonymise, match,
// detect, minimise, record — over whole datasets, concurrently and with
// cancellation on the first error. The command-line tool is a thin layer
// over it, and a distributed runner can call the same functions.
//
// Run is one exercise; Release sends on the rows of held outputs that
// reviewers confirmed; SubjectAccess, Erase and Purge honour rights and
// retention; Check, Link, Encode and Ingest serve the other commands. Run,
// Release, Erase and Purge change an exercise's files, and take its
// LockFile so that no two of them overlap.
//
// The per-record work (validation, encoding, comparison, scoring) lives in
// internal packages that do no I/O; pipeline is where files are read and
// written.
package pipeline

import "github.com/datamatch/datamatch/internal/progress"

// Progress reports the progress of long stages. *progress.Meter satisfies
// it; a nil Progress shows nothing.
type Progress interface {
	Start(desc string, total int64) Step
}

// Step tracks one stage.
type Step = progress.Step

type nopStep struct{}

func (nopStep) Add(int) {}
func (nopStep) Done()   {}

func start(p Progress, desc string, total int64) Step {
	if p == nil {
		return nopStep{}
	}
	return p.Start(desc, total)
}
