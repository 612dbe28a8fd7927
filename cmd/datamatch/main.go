// Command datamatch matches a social landlord's tenancy records against
// partner datasets, on pseudonymised data, to find tenancy fraud and trace
// former tenants with rent arrears — recording the lawful basis of every run
// and leaving every decision with a significant effect to a person.
//
// Usage:
//
//	datamatch <command> [flags]
//	datamatch help <command>
//
// Run "datamatch help" for the list of commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/datamatch/datamatch/internal/gcpolicy"
	"github.com/datamatch/datamatch/internal/progress"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env is what every command gets: where to print, how to log, how to show
// progress.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	meter          *progress.Meter
	quiet          bool
}

// command is one datamatch command. Groups (keys, audit, review) have subs
// instead of setup.
type command struct {
	name    string
	summary string
	usage   string // text after "datamatch NAME"
	// setup declares the command's flags on fs and returns what runs it.
	setup func(fs *flag.FlagSet) func(ctx context.Context, e *env, args []string) error
	subs  []*command
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

// usageError is an error in how the command was called; it exits with 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func main() {
	gcpolicy.Apply()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes datamatch with args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("datamatch", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	quiet := global.Bool("quiet", false, "print only errors and results; no progress bars")
	verbose := global.Bool("verbose", false, "log each stage's progress to stderr")
	logJSON := global.Bool("log-json", false, "write logs as JSON lines (for unattended jobs)")
	showVersion := global.Bool("version", false, "print the version and exit")
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "datamatch: %v\n", err)
		topUsage(stderr)
		return exitUsage
	}
	if *showVersion {
		fmt.Fprintf(stdout, "datamatch %s\n", buildVersion())
		return exitOK
	}
	args = global.Args()
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if *logJSON {
		h = slog.NewJSONHandler(stderr, opts)
	}
	e := &env{stdout: stdout, stderr: stderr, log: slog.New(h), meter: progress.New(stderr, *quiet), quiet: *quiet}
	// Packages that log through the default logger follow --verbose too.
	slog.SetDefault(e.log)

	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		return help(args[1:], stdout, stderr)
	}
	if args[0] == "version" {
		fmt.Fprintf(stdout, "datamatch %s\n", buildVersion())
		return exitOK
	}
	c, rest, err := find(args)
	if err != nil {
		fmt.Fprintf(stderr, "datamatch: %v\n", err)
		return exitUsage
	}
	fs := flag.NewFlagSet("datamatch "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	action := c.setup(fs)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(stdout, c, fs)
			return exitOK
		}
		fmt.Fprintf(stderr, "datamatch %s: %v\n", c.name, err)
		fmt.Fprintf(stderr, "run 'datamatch help %s' for usage\n", c.name)
		return exitUsage
	}
	if err := action(ctx, e, fs.Args()); err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(stderr, "datamatch %s: %v\n", c.name, err)
			fmt.Fprintf(stderr, "run 'datamatch help %s' for usage\n", c.name)
			return exitUsage
		}
		fmt.Fprintf(stderr, "datamatch %s: %s\n", c.name, oneLine(err.Error()))
		return exitFailure
	}
	return exitOK
}

// find resolves args to a command (descending into groups) and returns the
// remaining arguments.
func find(args []string) (*command, []string, error) {
	list := commands
	var path []string
	for len(args) > 0 {
		var c *command
		for _, x := range list {
			if x.name == args[0] || strings.HasSuffix(x.name, " "+args[0]) {
				c = x
			}
		}
		if c == nil {
			if len(path) == 0 {
				return nil, nil, fmt.Errorf("unknown command %q (run 'datamatch help')", args[0])
			}
			return nil, nil, fmt.Errorf("unknown command %q (run 'datamatch help %s')", strings.Join(append(path, args[0]), " "), strings.Join(path, " "))
		}
		path = append(path, args[0])
		args = args[1:]
		if c.setup != nil {
			return c, args, nil
		}
		list = c.subs
	}
	return nil, nil, fmt.Errorf("%q needs a subcommand (run 'datamatch help %s')", strings.Join(path, " "), strings.Join(path, " "))
}

func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		topUsage(stdout)
		return exitOK
	}
	list := commands
	var c *command
	for _, a := range args {
		c = nil
		for _, x := range list {
			if x.name == a || strings.HasSuffix(x.name, " "+a) {
				c = x
			}
		}
		if c == nil {
			fmt.Fprintf(stderr, "datamatch help: unknown command %q\n", strings.Join(args, " "))
			return exitUsage
		}
		list = c.subs
	}
	if c.setup == nil {
		fmt.Fprintf(stdout, "%s\n\nCommands:\n", c.summary)
		width := 0
		for _, s := range c.subs {
			width = max(width, len(s.name))
		}
		for _, s := range c.subs {
			fmt.Fprintf(stdout, "  datamatch %-*s  %s\n", width, s.name, s.summary)
		}
		return exitOK
	}
	fs := flag.NewFlagSet("datamatch "+c.name, flag.ContinueOnError)
	c.setup(fs)
	commandUsage(stdout, c, fs)
	return exitOK
}

func commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: datamatch %s %s\n\n%s\n", c.name, c.usage, c.summary)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

func topUsage(w io.Writer) {
	fmt.Fprintf(w, `datamatch matches tenancy records against partner datasets on pseudonymised
data to find tenancy fraud and trace former tenants with arrears.

Usage: datamatch [--quiet] [--verbose] [--log-json] <command> [flags]

Commands:
`)
	var names []string
	byName := map[string]*command{}
	for _, c := range commands {
		names = append(names, c.name)
		byName[c.name] = c
	}
	sort.Strings(names)
	for _, n := range names {
		c := byName[n]
		fmt.Fprintf(w, "  %-20s %s\n", c.name, c.summary)
		for _, s := range c.subs {
			fmt.Fprintf(w, "    %-18s %s\n", strings.TrimPrefix(s.name, c.name+" "), s.summary)
		}
	}
	fmt.Fprintf(w, "\nRun 'datamatch help <command>' for a command's flags; 'datamatch --version' for the version.\n")
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// oneLine keeps an error on one line of stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
