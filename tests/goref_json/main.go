// Reference for tests/test_server_json_r7.py: each stdin line is a raw body in hex (any bytes); each output
// line is what Go's json.NewDecoder(body).Decode(&v) gives for it (gin's ShouldBindJSON, as Ollama's handlers
// call it): "ERR <message>" or "OK <the value re-encoded>".
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<26), 1<<26)
	for sc.Scan() {
		body, err := hex.DecodeString(sc.Text())
		if err != nil {
			fmt.Println("BADLINE", err)
			continue
		}
		var v any
		err = json.NewDecoder(bytes.NewReader(body)).Decode(&v)
		if err != nil {
			fmt.Printf("ERR %v\n", err)
			continue
		}
		out, _ := json.Marshal(v)
		fmt.Printf("OK %s\n", out)
	}
}
