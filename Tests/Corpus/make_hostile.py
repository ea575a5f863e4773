#!/usr/bin/env python3
"""Writes the hostile-drop corpus: one folder per case under OUT/, each holding
the one file to drop. Seeded, so the same bytes every time; the big cases (a
100 MB line, the bombs) are made here rather than kept in git. expected.tsv
beside this script says what each case must get. Usage: make_hostile.py OUT"""
import gzip, io, os, random, sys, tarfile, zipfile

HEADER = "tenure,charges,calls,sessions,plan,region,churned\n"


def rows(n, seed):
    r = random.Random(seed)
    out = []
    for _ in range(n):
        out.append(f"{r.randint(1, 60)},{r.uniform(20, 100):.2f},{r.randint(0, 5)},{r.randint(0, 30)},"
                   f"{r.choice(['basic', 'pro'])},{r.choice(['north', 'south'])},{r.choice(['yes', 'no'])}")
    return "\n".join(out) + "\n"


def tar_with(names):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name in names:
            data = (HEADER + rows(100, 9)).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def gzip_bomb():
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream:
        stream.write(HEADER.encode())
        zeros = b"0" * (1 << 20)
        for _ in range(300):          # 300 MB of text in ~300 KB
            stream.write(zeros)
    return buffer.getvalue()


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("big.csv", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, HEADER + "0" * (300 << 20))
    return buffer.getvalue()


def cases():
    good = HEADER + rows(300, 1)
    gz = gzip.compress(good.encode(), mtime=0)
    garbage = random.Random(3)
    wide = ",".join(f"c{i}" for i in range(10000)) + ",churned\n"
    wide += "".join(",".join(str((r * 7 + i) % 10) for i in range(10000)) + ("," + ("yes" if r % 2 else "no")) + "\n"
                    for r in range(30))
    return {
        "empty": ("empty.csv", b""),
        "header-only": ("header.csv", HEADER.encode()),
        "binary-garbage": ("garbage.csv", bytes(garbage.getrandbits(8) for _ in range(4096))),
        "invalid-utf8": ("utf8.csv", (HEADER + rows(150, 1)).encode() + b"5,20.0,1,2,ba\xffsic,north,yes\n"
                         + rows(150, 2).encode()),
        "ragged": ("ragged.csv", (HEADER + rows(100, 1) + "1,2,3\n" + rows(100, 2)).encode()),
        "unterminated-quote": ("quote.csv", (HEADER + rows(100, 1) + '1,2,3,4,"basic,north,yes\n' + rows(100, 2)).encode()),
        "long-line": ("line.csv", (HEADER + "1," + "9" * (100 << 20) + ",1,2,basic,north,yes\n").encode()),
        "10000-columns": ("wide.csv", wide.encode()),
        "non-finite": ("inf.csv", (HEADER + rows(100, 1) + "NaN,20.5,2,1e400,basic,north,yes\n" + rows(100, 2)).encode()),
        "inf-text": ("inftext.csv", (HEADER + rows(100, 1) + "5,inf,2,3,basic,north,yes\n" + rows(100, 2)).encode()),
        "type-change": ("type.csv", (HEADER + rows(200, 1) + "abc,20.0,1,2,basic,north,yes\n" + rows(100, 2)).encode()),
        "constant-target": ("constant.csv", (HEADER + rows(300, 1).replace(",no\n", ",yes\n")).encode()),
        "target-missing": ("notarget.csv", (HEADER.replace(",churned", "") + "".join(
            line.rsplit(",", 1)[0] + "\n" for line in rows(300, 1).splitlines())).encode()),
        "duplicate-columns": ("dupcols.csv", (HEADER.replace("calls", "tenure") + rows(300, 1)).encode()),
        "bom": ("bom.csv", b"\xef\xbb\xbf" + good.encode()),
        "crlf": ("crlf.csv", good.replace("\n", "\r\n").encode()),
        "mixed-delimiters": ("mixed.csv", (HEADER + rows(100, 1) + "1;2;3;4;basic;north;yes\n" + rows(100, 2)).encode()),
        "truncated-gzip": ("truncated.csv.gz", gz[: len(gz) // 2]),
        "corrupt-gzip": ("corrupt.csv.gz", gz[:20] + bytes(50) + gz[70:]),
        "gzip-bomb": ("bomb.csv.gz", gzip_bomb()),
        "tar-dotdot": ("dotdot.tar", tar_with(["../evil.csv"])),
        "tar-absolute": ("absolute.tar", tar_with(["/etc/evil.csv"])),
        "zip-bomb": ("bomb.zip", zip_bomb()),
    }


def main():
    out = sys.argv[1]
    for case, (name, data) in cases().items():
        os.makedirs(os.path.join(out, case), exist_ok=True)
        with open(os.path.join(out, case, name), "wb") as handle:
            handle.write(data)


if __name__ == "__main__":
    main()
