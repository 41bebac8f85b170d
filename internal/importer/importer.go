// Package importer holds what the file importers share: the per-item error
// they report. Each format lives in its own package below (telegram,
// twitter, facebook) and turns a platform's export into posts for the
// pipeline.
package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Error is why one item of an export could not become a post. Where names
// the item as the export does ("message 12", "line 4", "data[3]"), Field the
// offending field when there is one.
type Error struct {
	Where string
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %v", e.Where, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Where, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error for the item at where.
func Errorf(where, field, format string, args ...any) *Error {
	return &Error{Where: where, Field: field, Err: fmt.Errorf(format, args...)}
}

// Position turns a byte offset into a 1-based line and column, for errors
// in JSON files a person will open in an editor.
func Position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, c := range data[:offset] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// JSONError names where a malformed JSON file breaks, by line and column.
func JSONError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := Position(data, se.Offset-1) // Offset is past the bad byte
		return fmt.Errorf("malformed JSON at line %d, column %d: %v", line, col, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := Position(data, te.Offset)
		field := te.Field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		return fmt.Errorf("line %d, column %d: %s: want %s, got JSON %s", line, col, field, kind(te.Type), te.Value)
	}
	return err
}

// kind says what JSON a Go type wants, in a user's words.
func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return kind(t.Elem())
	}
	return "a number"
}
