//go:build datamatchdeps

// Package datamatch pins the modules that later packages import, so that go
// mod tidy keeps them while those packages are being written.
package datamatch

import (
	_ "filippo.io/age"
	_ "github.com/apache/arrow/go/v17/arrow"
	_ "github.com/apache/arrow/go/v17/arrow/array"
	_ "github.com/apache/arrow/go/v17/arrow/memory"
	_ "github.com/apache/arrow/go/v17/parquet"
	_ "github.com/apache/arrow/go/v17/parquet/compress"
	_ "github.com/apache/arrow/go/v17/parquet/file"
	_ "github.com/apache/arrow/go/v17/parquet/pqarrow"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/xitongsys/parquet-go-source/local"
	_ "github.com/xitongsys/parquet-go/parquet"
	_ "github.com/xitongsys/parquet-go/writer"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/term"
	_ "golang.org/x/text/unicode/norm"
	_ "gopkg.in/yaml.v3"
)
