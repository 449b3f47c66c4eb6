package conformance

// Guarantee "No false success" (README, Security and reliability).

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testNoFalseSuccess: a success is the provider's documented success,
// whole and exact. A success body cut on the way is ErrNetwork (the answer
// was lost); trailing data, also beyond the 64 KiB kept, and duplicate or
// case- or Unicode-folded keys (encoding/json matches keys
// case-insensitively) are ErrUnexpectedResponse. Every operation.
func testNoFalseSuccess(t *testing.T, p Provider) {
	status, success := successAnswer(t, p)
	t.Run("DocumentedSuccess", func(t *testing.T) {
		eachOperation(t, p, func(t *testing.T, op operation) {
			c := answering(t, p, func(w http.ResponseWriter) { writeJSON(w, status, success) })
			require.NoError(t, op.Call(bg(), c), "the documented success, as the suite serves it, is a success")
		})
	})
	// A 204 has no body to cut or to add to: the answers below are 200s with
	// a body, which a 204 provider's success is not either.
	if status == http.StatusNoContent {
		t.Run("NotThe204", func(t *testing.T) { testNotThe204(t, p) })
		status = http.StatusOK
	}
	statusLine := "HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\nContent-Type: application/json\r\n"
	t.Run("CutBeforeContentLength", func(t *testing.T) {
		eachOperation(t, p, func(t *testing.T, op operation) {
			c := answering(t, p, func(w http.ResponseWriter) {
				closeAfter(w, statusLine+"Content-Length: "+strconv.Itoa(len(success)+20)+"\r\n\r\n"+string(success))
			})
			apiErr := requireLostAnswer(t, op.Call(bg(), c), status)
			assert.Equal(t, string(success), string(apiErr.Body), "what came is kept")
		})
	})
	t.Run("ChunkedWithoutFinalChunk", func(t *testing.T) {
		chunk := string(success)
		if chunk == "" {
			chunk = " " // an empty chunk would be the final one
		}
		eachOperation(t, p, func(t *testing.T, op operation) {
			c := answering(t, p, func(w http.ResponseWriter) {
				closeAfter(w, statusLine+"Transfer-Encoding: chunked\r\n\r\n"+
					strconv.FormatInt(int64(len(chunk)), 16)+"\r\n"+chunk+"\r\n")
			})
			requireLostAnswer(t, op.Call(bg(), c), status)
		})
	})
	bodies := map[string][]byte{
		"TrailingData":              append(append([]byte(nil), success...), " x"...),
		"TrailingDataBeyondKept":    append(append(append([]byte(nil), success...), bytes.Repeat([]byte(" "), 70<<10)...), 'x'),
		"TrailingSpaceBeyondKept":   append(append([]byte(nil), success...), bytes.Repeat([]byte(" "), 70<<10)...),
		"TrailingDataAtTheBoundary": append(append(append([]byte(nil), success...), bytes.Repeat([]byte(" "), (64<<10)-len(success))...), 'x'),
	}
	if len(bytes.TrimSpace(success)) > 0 {
		bodies["TrailingValue"] = append(append([]byte(nil), success...), success...)
	}
	for name, b := range foldedAndDuplicated(success) {
		bodies[name] = b
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			eachOperation(t, p, func(t *testing.T, op operation) {
				c := answering(t, p, func(w http.ResponseWriter) { writeJSON(w, status, body) })
				err := op.Call(bg(), c)
				require.Error(t, err, "%.200s is not the documented success", body)
				requireAPIError(t, err, status, mfaclient.ErrUnexpectedResponse, 1)
			})
		})
	}
}

// successAnswer is the status and body of p's documented success.
func successAnswer(t *testing.T, p Provider) (int, []byte) {
	rec := httptest.NewRecorder()
	p.Success(rec)
	require.True(t, rec.Code >= 200 && rec.Code <= 299, "Success writes a 2xx, not %d", rec.Code)
	return rec.Code, rec.Body.Bytes()
}

// foldedAndDuplicated returns the success body with each key in turn
// duplicated (first with another value: encoding/json keeps the last),
// upper-cased, title-cased, and spelled with a Unicode letter that folds to
// an ASCII one (ſ for s, the Kelvin sign for k).
func foldedAndDuplicated(success []byte) map[string][]byte {
	out := map[string][]byte{}
	var doc map[string]json.RawMessage
	if json.Unmarshal(success, &doc) != nil {
		return out // no keys to fold (a 204, a body that is not an object)
	}
	for k, v := range doc {
		other := json.RawMessage(`null`)
		if string(v) == "null" {
			other = json.RawMessage(`false`)
		}
		quoted, _ := json.Marshal(k)
		out["DuplicateKey/"+k] = append([]byte(`{`+string(quoted)+`:`+string(other)+`,`), bytes.TrimPrefix(bytes.TrimSpace(success), []byte("{"))...)
		out["DuplicateKeySameValue/"+k] = append([]byte(`{`+string(quoted)+`:`+string(v)+`,`), bytes.TrimPrefix(bytes.TrimSpace(success), []byte("{"))...)
		variants := map[string]string{
			"Upper":          strings.ToUpper(k),
			"Title":          strings.ToUpper(k[:1]) + k[1:],
			"LongS":          strings.ReplaceAll(k, "s", "\u017f"),
			"UpperWithError": strings.ToUpper(k), // like {"SUCCESS":true,"error":"…"}
		}
		if strings.Contains(k, "k") {
			variants["Kelvin"] = strings.ReplaceAll(k, "k", "\u212a")
		}
		for name, fk := range variants {
			if fk == k {
				continue
			}
			m := map[string]json.RawMessage{}
			for k2, v2 := range doc {
				m[k2] = v2
			}
			delete(m, k)
			m[fk] = v
			if name == "UpperWithError" {
				m["error"] = json.RawMessage(`"the provider failed"`)
			}
			b, _ := json.Marshal(m) // raw values from a valid document
			out["FoldedKey/"+name+"/"+k] = b
		}
	}
	return out
}
