package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

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
		summary: "Answer data-subject rights requests: subject access, and a check of the restrictions list.",
		subs:    []*command{rightsSARCmd, rightsCheckCmd},
	})
}

// rightsSARCmd is "datamatch rights sar".
var rightsSARCmd = &command{
	name:    "rights sar",
	summary: "Find everything the exercise holds about a person, for a subject access request.",
	usage:   "--config exercise.yaml --forename F --surname S [--dob YYYY-MM-DD] [--ni NI] [--passport N] [--postcode PC] [--identity FILE] --out DIR",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		config := fs.String("config", "", "the exercise config (required)")
		forename := fs.String("forename", "", "the person's forename, as they gave it")
		surname := fs.String("surname", "", "the person's surname, as they gave it")
		dob := fs.String("dob", "", "date of birth (YYYY-MM-DD)")
		ni := fs.String("ni", "", "National Insurance number")
		passport := fs.String("passport", "", "passport or other travel document number")
		postcode := fs.String("postcode", "", "postcode")
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
			if *forename == "" && *surname == "" && *ni == "" && *passport == "" {
				return usagef("give at least --forename and --surname, or --ni, or --passport")
			}
			// The query is personal data: no value of it goes into an
			// error or a log.
			subject := rights.Subject{Forename: *forename, Surname: *surname, NINumber: *ni, Passport: *passport, Postcode: *postcode}
			if *dob != "" {
				d, err := date.Parse(date.ISO, *dob)
				if err != nil {
					return usagef("--dob must be a date in the form YYYY-MM-DD")
				}
				subject.DOB = d
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
