package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// splitArray splits a JSON array into its raw elements, so each can be
// decoded, and fail, on its own.
func splitArray(body []byte) ([][]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return nil, errors.New("body: want a JSON array of posts")
	}
	var out [][]byte
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("body: element %d: %v", len(out), err)
		}
		out = append(out, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("body: unterminated array: %v", err)
	}
	if dec.More() {
		return nil, errors.New("body: trailing data after the array")
	}
	return out, nil
}
