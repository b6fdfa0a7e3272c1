module goref_json

go 1.19
