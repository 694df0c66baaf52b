package main

// FerretDB v1's SQLite backend finds a document by _id with
//
//	WHERE _ferretdb_sjson->'$._id' = ?
//
// but builds the collection's _id index on the expression _ferretdb_sjson->"_id". SQLite
// matches expression indexes by their text, so that index is never used: every find, update
// and delete by _id scans the table. A journal read of entry N scans N rows, and reading a
// namespace's whole history is quadratic (docs/database.md has the figures).
//
// idIndexer adds, to every collection table, a plain index on the exact expression the
// queries use. FerretDB does not know of it and does not need to: its metadata lives in
// _ferretdb_collections, DROP TABLE drops the index with the table, and the index is not
// unique, so it changes no query's answer and no write's outcome, only the plan.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// indexSuffix names our index: FerretDB names its own "<table>_<mongo index name>".
const indexSuffix = "_pocketcloud_id_lookup"

type fileStamp struct {
	dbMod, walMod time.Time
	dbSize        int64
	walSize       int64
}

type idIndexer struct {
	dir    string
	logger *slog.Logger
	seen   map[string]fileStamp
}

func newIDIndexer(dir string, logger *slog.Logger) *idIndexer {
	return &idIndexer{dir: dir, logger: logger, seen: map[string]fileStamp{}}
}

// run indexes new collections every interval until ctx ends.
func (x *idIndexer) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			x.pass(ctx)
		}
	}
}

// pass visits every database file that changed since it was last seen indexed.
func (x *idIndexer) pass(ctx context.Context) {
	files, err := filepath.Glob(filepath.Join(x.dir, "*.sqlite"))
	if err != nil {
		x.logger.Warn("id index: cannot list databases", "error", err)
		return
	}
	live := make(map[string]bool, len(files))
	for _, f := range files {
		live[f] = true
		stamp, ok := stampOf(f)
		if !ok || x.seen[f] == stamp {
			continue
		}
		created, err := ensureIDIndexes(ctx, f)
		if err != nil {
			// A database being created or dropped right now: the next pass sees it settled.
			x.logger.Debug("id index: database skipped", "file", f, "error", err)
			continue
		}
		for _, t := range created {
			x.logger.Info("id index: created", "file", filepath.Base(f), "table", t)
		}
		// Stamp after our own writes, so they do not bring the file back next pass.
		if stamp, ok = stampOf(f); ok {
			x.seen[f] = stamp
		}
	}
	for f := range x.seen {
		if !live[f] {
			delete(x.seen, f)
		}
	}
}

func stampOf(file string) (fileStamp, bool) {
	db, err := os.Stat(file)
	if err != nil {
		return fileStamp{}, false
	}
	s := fileStamp{dbMod: db.ModTime(), dbSize: db.Size()}
	if wal, err := os.Stat(file + "-wal"); err == nil {
		s.walMod, s.walSize = wal.ModTime(), wal.Size()
	}
	return s, true
}

// ensureIDIndexes creates the missing lookup indexes of one database file and returns the
// tables it indexed.
func ensureIDIndexes(ctx context.Context, file string) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(file)+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `
		SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (
			SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || ?
		)`, indexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil // a database FerretDB has not set up yet
		}
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var created []string
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+indexSuffix, t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			// The collection was dropped between the query and now: nothing to index.
			if strings.Contains(err.Error(), "no such table") {
				continue
			}
			return created, err
		}
		created = append(created, t)
	}
	return created, nil
}
