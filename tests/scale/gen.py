#!/usr/bin/env python3
"""Inputs for measuring how Tally copes with hostile models (issue 17).

python3 tests/scale/gen.py DIR writes into DIR:
  errors10k.tally   10,000 rules, each naming an unknown field: 10,000 errors
  chained.tally     a 40 KB line of chained comparisons (`a < a < a …`)
  longline.tally    a valid model whose only finding, a warning, sits past
                    column 65,535 of its line
  list100k.tally    one rule testing `in` a list of 100,000 texts
  arith30k.tally    points from a 30,000-term `a * a / a …` chain
  rules100k.tally   100,000 rules, for `tally fmt`'s memory

Then, with a release build (`cargo build --release`):
  /usr/bin/time -f '%e s %U user %M KB' target/release/tally check DIR/errors10k.tally
  /usr/bin/time -f '%e s %U user %M KB' target/release/tally check DIR/chained.tally
  target/release/tally check DIR/longline.tally        # exit 0, not 101
  /usr/bin/time -f '%e s %U user %M KB' target/release/tally sql DIR/list100k.tally --dialect duckdb
  /usr/bin/time -f '%e s %U user %M KB' target/release/tally sql DIR/arith30k.tally --dialect snowflake
  /usr/bin/time -f '%e s %U user %M KB' target/release/tally fmt - < DIR/rules100k.tally
"""
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


write("errors10k.tally", "fields {\n  a: int\n}\n\n" + "".join(
    f'when u{i} > 1 add 1 "r{i}"\n' for i in range(10_000)))

chain = " < ".join(["a"] * 10_000)
write("chained.tally", f'fields {{\n  a: int\n}}\n\nwhen {chain} add 1 "r"\n')

pad = " " * 70_000
write("longline.tally", 'fields {\n  a: int\n}\n\n' + pad +
      'when a > 5 and a < 3 add 1 "never"\n')

items = ", ".join(f'"v{i}"' for i in range(100_000))
write("list100k.tally", f'fields {{\n  t: text\n}}\n\nwhen t in [{items}] add 1 "r"\n')

terms = "".join(" * a" if i % 2 == 0 else " / a" for i in range(29_999))
write("arith30k.tally", f'fields {{\n  a: int\n}}\n\nwhen a > 0 add a{terms} "r"\n')

write("rules100k.tally", "fields {\n  a: int\n}\n\n" + "".join(
    f'when a > {i} add {i % 7 + 1} "rule {i}"\n' for i in range(100_000)))
