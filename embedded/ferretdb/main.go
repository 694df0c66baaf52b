// Command pocketcloud-ferretdb runs FerretDB v1 (the MongoDB wire protocol on SQLite)
// embedded in a small program of pocketCloud's own.
//
// The upstream `go install .../cmd/ferretdb` binary panics at start because its version
// file is not part of the Go module; the embeddable package skips that check.
//
// Once listening it prints one JSON line {"uri": "..."} on stdout, so the parent process
// learns the port it got. With -watch-stdin it exits when its stdin closes, so it never
// outlives a parent that was killed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	dir := flag.String("dir", "", "directory holding the SQLite files (required)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", false, "exit when stdin is closed (the parent died)")
	sqliteQuery := flag.String("sqlite-query", "", "query string appended to the SQLite URI (e.g. mode=memory)")
	flag.Parse()

	// FerretDB's live heap is small and churns fast (every document is converted to JSON and
	// back): collecting at 5x the live heap instead of 2x cut its CPU time by an eighth in a
	// small-file import. GOGC in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: %v", err)
	}
	logger := slog.New(&lazyAttrs{inner: slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	if *dir == "" {
		fail("-dir is required")
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail("bad -dir: %v", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail("cannot create %s: %v", abs, err)
	}

	// Index the collections of an existing data directory before serving, then keep indexing
	// the ones created while running (idindex.go says why).
	indexer := newIDIndexer(abs, logger)
	indexer.pass(context.Background())

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL(abs, *sqliteQuery),
	})
	if err != nil {
		fail("cannot start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	go indexer.run(ctx, time.Second)

	// The listener is bound by New, so the URI already names the real port.
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{"uri": f.MongoDBURI()}); err != nil {
		fail("cannot write the ready line: %v", err)
	}
	if err := f.Run(ctx); err != nil {
		fail("FerretDB stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	slog.Error("pocketcloud-ferretdb", "error", fmt.Sprintf(format, args...))
	os.Exit(1)
}

// sqliteURL is FerretDB's SQLite location: a "file:" URI naming a directory, ending in "/".
//
// Transactions begin IMMEDIATE: FerretDB opens one only to write (inserts, updates), and a
// deferred one that reads first takes its read snapshot before the write lock; if another
// connection commits in between, SQLite answers SQLITE_BUSY at once, without waiting out
// busy_timeout ("database is locked" under concurrent writers, seen growing a server to a
// million nodes from ten accounts at once). An immediate transaction takes the write lock
// first, so busy_timeout applies and writers queue instead.
func sqliteURL(dir, query string) string {
	values := []string{}
	if query != "" {
		values = append(values, query)
	}
	if !strings.Contains(query, "_txlock=") {
		values = append(values, "_txlock=immediate")
	}
	return "file:" + filepath.ToSlash(dir) + "/?" + strings.Join(values, "&")
}

// lazyAttrs defers a logger's With attributes until a record is actually written.
//
// FerretDB logs every SQL statement as logger.With(slog.Any("args", args)).DebugContext(...),
// and a JSON handler formats With attributes at once, whatever the level: every insert
// JSON-encoded its whole document a second time only to drop the result (8% of FerretDB's
// CPU in a small-file import). Deferred, nothing is formatted below the level.
type lazyAttrs struct {
	inner slog.Handler
	with  []func(slog.Handler) slog.Handler
}

func (h *lazyAttrs) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h *lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	inner := h.inner
	for _, f := range h.with {
		inner = f(inner)
	}
	return inner.Handle(ctx, r)
}

func (h *lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.then(func(x slog.Handler) slog.Handler { return x.WithAttrs(attrs) })
}

func (h *lazyAttrs) WithGroup(name string) slog.Handler {
	return h.then(func(x slog.Handler) slog.Handler { return x.WithGroup(name) })
}

func (h *lazyAttrs) then(f func(slog.Handler) slog.Handler) slog.Handler {
	with := make([]func(slog.Handler) slog.Handler, len(h.with), len(h.with)+1)
	copy(with, h.with)
	return &lazyAttrs{inner: h.inner, with: append(with, f)}
}
