package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/vault"
)

func init() {
	register(&command{
		name:    "keys",
		summary: "Create and identify the secrets of an exercise.",
		subs:    []*command{keysNewCmd, keysIDCmd, keysNewReviewerCmd},
	})
}

// keysNewCmd is "datamatch keys new".
var keysNewCmd = &command{
	name:    "keys new",
	summary: "Write a new 256-bit exercise key file and print its id.",
	usage:   "--out FILE",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		out := fs.String("out", "", "the key file to create (mode 0600; an existing file is never replaced)")
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			if *out == "" {
				return usagef("--out FILE is required")
			}
			k, err := key.Generate()
			if err != nil {
				return err
			}
			if err := key.Save(*out, k); err != nil {
				return err
			}
			e.log.Info("wrote exercise key", "file", *out, "key_id", k.ID())
			if !e.quiet {
				fmt.Fprintf(e.stderr, "wrote %s: share it with the exercise's partners only over a secure channel, and set key_file to it\n", *out)
			}
			_, err = fmt.Fprintln(e.stdout, k.ID())
			return err
		}
	},
}

// keysIDCmd is "datamatch keys id".
var keysIDCmd = &command{
	name:    "keys id",
	summary: "Print the id of an exercise key, which run records name it by.",
	usage:   "--key FILE",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		file := fs.String("key", "", "the key file (must be readable by its owner only)")
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			if *file == "" {
				return usagef("--key FILE is required")
			}
			k, err := key.Load(*file)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, k.ID())
			return err
		}
	},
}

// keysNewReviewerCmd is "datamatch keys new-reviewer".
var keysNewReviewerCmd = &command{
	name:    "keys new-reviewer",
	summary: "Write a new reviewer identity (age X25519) and print its recipient for the exercise config.",
	usage:   "--out FILE",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		out := fs.String("out", "", "the identity file to create (mode 0600; an existing file is never replaced)")
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			if *out == "" {
				return usagef("--out FILE is required")
			}
			id, _, err := vault.NewIdentity()
			if err != nil {
				return err
			}
			recipient, err := vault.SaveIdentity(*out, id)
			if err != nil {
				return err
			}
			e.log.Info("wrote reviewer identity", "file", *out, "recipient", recipient)
			if !e.quiet {
				fmt.Fprintf(e.stderr, "wrote %s: keep it private; add the recipient below to the exercise config's reviewers\n", *out)
			}
			_, err = fmt.Fprintln(e.stdout, recipient)
			return err
		}
	},
}

// noPositional refuses positional arguments to a command that takes none.
// The arguments are not quoted: a mistyped command line may hold anything.
func noPositional(args []string) error {
	if len(args) > 0 {
		return usagef("takes no arguments, got %d (flags start with -)", len(args))
	}
	return nil
}
