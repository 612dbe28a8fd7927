package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/rights"
	"github.com/datamatch/datamatch/pipeline"
)

// Files a subject access search writes into its --out folder.
const (
	sarJSONFile = "subject-access.json"
	sarTextFile = "subject-access.txt"
)

func init() {
	register(&command{
		name:    "rights",
		summary: "Answer data-subject rights requests: subject access, erasure, and a check of the restrictions list.",
		subs:    []*command{rightsSARCmd, rightsEraseCmd, rightsCheckCmd},
	})
}

// rightsSARCmd is "datamatch rights sar".
var rightsSARCmd = &command{
	name:    "rights sar",
	summary: "Find everything the exercise holds about a person, for a subject access request.",
	usage:   "--config exercise.yaml --forename F --surname S [--dob YYYY-MM-DD] [--ni NI] [--passport N] [--postcode PC] [--identity FILE] --out DIR",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		config := fs.String("config", "", "the exercise config (required)")
		sf := newSubjectFlags(fs)
		identity := fs.String("identity", "", "a reviewer's age identity file: also search the re-identification vaults (each opening is entered in the ledger)")
		out := fs.String("out", "", "folder for the report (required): "+sarJSONFile+" and "+sarTextFile+", mode 0600")
		return func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usagef("takes no arguments, got %d", len(args))
			}
			if *config == "" {
				return usagef("--config is required")
			}
			if *out == "" {
				return usagef("--out DIR is required")
			}
			subject, err := sf.subject()
			if err != nil {
				return err
			}
			f, err := pipeline.SubjectAccess(ctx, pipeline.SubjectAccessOptions{
				Config: *config, Subject: subject, Identity: *identity, Logger: e.log,
			})
			if err != nil {
				return err
			}
			if err := os.MkdirAll(*out, 0o700); err != nil {
				return fmt.Errorf("subject access report: %w", err)
			}
			jsonPath, textPath := filepath.Join(*out, sarJSONFile), filepath.Join(*out, sarTextFile)
			if err := f.WriteFiles(jsonPath, textPath); err != nil {
				return err
			}
			printSARSummary(e, f, jsonPath, textPath)
			return nil
		}
	},
}

// subjectFlags are the flags that name the person a rights request is
// about.
type subjectFlags struct {
	forename, surname, dob, ni, passport, postcode *string
}

func newSubjectFlags(fs *flag.FlagSet) *subjectFlags {
	return &subjectFlags{
		forename: fs.String("forename", "", "the person's forename, as they gave it"),
		surname:  fs.String("surname", "", "the person's surname, as they gave it"),
		dob:      fs.String("dob", "", "date of birth (YYYY-MM-DD)"),
		ni:       fs.String("ni", "", "National Insurance number"),
		passport: fs.String("passport", "", "passport or other travel document number"),
		postcode: fs.String("postcode", "", "postcode"),
	}
}

// subject returns the person the flags name. The query is personal data:
// no value of it goes into an error or a log.
func (f *subjectFlags) subject() (rights.Subject, error) {
	if *f.forename == "" && *f.surname == "" && *f.ni == "" && *f.passport == "" {
		return rights.Subject{}, usagef("give at least --forename and --surname, or --ni, or --passport")
	}
	s := rights.Subject{Forename: *f.forename, Surname: *f.surname, NINumber: *f.ni, Passport: *f.passport, Postcode: *f.postcode}
	if *f.dob != "" {
		d, err := date.Parse(date.ISO, *f.dob)
		if err != nil {
			return rights.Subject{}, usagef("--dob must be a date in the form YYYY-MM-DD")
		}
		s.DOB = d
	}
	return s, nil
}

// rightsEraseCmd is "datamatch rights erase".
var rightsEraseCmd = &command{
	name:    "rights erase",
	summary: "Erase a person from the exercise's outputs and vaults, for a request for erasure; report what is left elsewhere.",
	usage:   "--config exercise.yaml --forename F --surname S [--dob YYYY-MM-DD] [--ni NI] [--passport N] [--postcode PC] --identity FILE --reference REF [--reasons] [--dry-run] [--json]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		config := fs.String("config", "", "the exercise config (required)")
		sf := newSubjectFlags(fs)
		identity := fs.String("identity", "", "a reviewer's age identity file (required): the vaults are searched and written anew without the person's entries")
		reference := fs.String("reference", "", "the landlord's reference for the request (required; recorded in the ledger)")
		dryRun := fs.Bool("dry-run", false, "report what would be erased and change nothing")
		reasons := fs.Bool("reasons", false, "also replace the reasons of the decisions on the person's review cases with a note of the request (outcome, reviewer and time stay)")
		asJSON := fs.Bool("json", false, "print the report as JSON")
		return func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usagef("takes no arguments, got %d", len(args))
			}
			switch {
			case *config == "":
				return usagef("--config is required")
			case *identity == "":
				return usagef("--identity FILE is required: the vaults must be written anew")
			case strings.TrimSpace(*reference) == "":
				return usagef("--reference REF is required: the request's reference goes in the ledger")
			}
			subject, err := sf.subject()
			if err != nil {
				return err
			}
			er, _, eraseErr := pipeline.Erase(ctx, pipeline.EraseOptions{
				Config: *config, Subject: subject, Identity: *identity, Reference: *reference, DryRun: *dryRun, Reasons: *reasons, Logger: e.log,
			})
			if er != nil {
				var err error
				if *asJSON {
					err = er.WriteJSON(e.stdout)
				} else {
					err = er.Render(e.stdout)
				}
				if err != nil {
					return errors.Join(eraseErr, err)
				}
			}
			return eraseErr
		}
	},
}

// printSARSummary prints where was searched and how much was found there,
// never what was found: the report files hold that.
func printSARSummary(e *env, f *rights.Findings, jsonPath, textPath string) {
	w := e.stdout
	fmt.Fprintf(w, "subject access search: %d places searched\n\n", len(f.Searched))
	fmt.Fprintf(w, "  %-8s %-9s %6s  %s\n", "kind", "status", "found", "name")
	for _, s := range f.Searched {
		fmt.Fprintf(w, "  %-8s %-9s %6d  %s\n", s.Kind, s.Status, s.Found, s.Name)
	}
	fmt.Fprintf(w, "\nfound: %d records in input datasets, %d vault entries, %d review cases, %d output files\n",
		len(f.Records), len(f.Vault), len(f.Cases), len(f.Files))
	fmt.Fprintf(w, "report: %s\n        %s\n", jsonPath, textPath)
	fmt.Fprintf(w, "Each finding is a possible match: check it before anything is disclosed.\n")
}

// rightsCheckCmd is "datamatch rights check-restrictions".
var rightsCheckCmd = &command{
	name:    "rights check-restrictions",
	summary: "Load the exercise's restrictions file as a run would, and count the people it lists by kind.",
	usage:   "--config exercise.yaml",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		config := fs.String("config", "", "the exercise config (required)")
		return func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usagef("takes no arguments, got %d", len(args))
			}
			if *config == "" {
				return usagef("--config is required")
			}
			s, err := pipeline.CheckRestrictions(ctx, *config)
			if err != nil {
				return err
			}
			if s.File == "" {
				fmt.Fprintf(e.stdout, "exercise %q names no restrictions_file: no one is excluded from matching\n", s.Exercise.Name)
				return nil
			}
			fmt.Fprintf(e.stdout, "restrictions file %s: %d people listed\n", s.File, s.Total)
			for _, k := range rights.Kinds {
				fmt.Fprintf(e.stdout, "  %-20s %6d\n", k, s.People[k])
			}
			return nil
		}
	},
}
