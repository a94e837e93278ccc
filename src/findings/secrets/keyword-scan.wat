;; The secret scanner's keyword prefilter in WebAssembly (see keywords.ts for the JS twin and
;; the tables). V8 runs this loop 3-6x faster than the same loop over a Uint8Array in JS.
;; Assembled by scripts/build-keyword-wasm.mjs into keyword-scan-wasm.ts (base64, committed):
;; nothing here is compiled at install or run time.
;;
;;
;; Two filters: most text has a keyword's first two bytes at ~4% of positions ("se", "to", "pa"),
;; so the fast path tests three bytes (TRI); only then the exact pair table and the byte compare
;; run. TRI is indexed by the three raw bytes themselves, the third's low five bits only: a
;; 21-bit index into a table of one BIT per entry (256 KiB, 64 pages). Each 4 KiB page of it that
;; a scan touches first costs a page fault (~15 us on this machine, reads too), so the table is
;; kept small: with the full seven bits of the third byte and a byte per entry (8 MiB) a fresh
;; instance's first scans of a `docker save` image's text took 8-18 ms a megabyte instead of ~1,
;; the same text scanned again 1-3 ms; with five bits and a byte per entry (2 MiB), 10-20 ms for
;; each of the first two megabytes in a fresh `scan`, and each new instance wrote ~900 of its
;; pages (~10 ms). As bits, the table is copied into a new instance whole with the other tables
;; (64 pages) and the scans fault on nothing more. A lookup is the i32 word holding the entry
;; (the index shifted right by 5, as a byte address: >> 3 & ~3) shifted right by the index
;; itself (wasm takes a shift count's low five bits: the entry's bit), bit 0 tested once for the
;; eight lookups OR-ed together. Folding the third byte only lets more positions into the exact
;; test below (a letter's two cases were both in the table anyway): the same speed on real text.
;; It holds each keyword's bytes 0-2 AND bytes 1-3, so
;; the fast path looks up every other position only (a keyword that starts one before a
;; looked-up position shows there by its bytes 1-3): sixteen positions per step, eight lookups.
;; Every keyword has three bytes or more (fillTri checks) for that.
;; Measured on this machine (MB/s, real text / the bench's generated text): a 64 KiB table behind
;; a multiplicative hash of case-folded bytes, every position, ~1080 / 1540; the raw-byte table,
;; every position, ~1350 / 1970; every other position, ~1500 / 3070.
;;
;; Linear memory, filled by JS once (tables, TRI among them) and per call (input):
;;   0      PAIR     64 KiB: bucket id (0 = no keyword) of the byte pair (b0 | b1 << 8), raw
;;                   bytes (case folded when the table was built), read with one 16-bit load
;;   65536  FOLLOW   4 KiB: per keyword index (up to 1024), 4 bytes: what must follow its hits (follow.ts)
;;   69632  CLASSES  256 B per byte class of FOLLOW (up to 192): 1 where the byte is in the class
;;   118784 WORDS    1024 x (want, mask, fold) i32, by entry as ENTRIES: the keyword's first four
;;                   bytes as one compare, ((the four input bytes | fold) & mask) == want: fold has
;;                   0x20 where the keyword has a lower-case letter (not for an exact keyword),
;;                   mask 0xff for each of the keyword's bytes (0 past a three-byte one's end)
;;   131072 LOWER    256 B: ASCII lower-case of each byte
;;   131328 BUCKETS  256 x (start, end) i32: the bucket's range in ENTRIES
;;   133376 ENTRIES  1024 x (keyword index, offset in KWBYTES, length | exact << 16) i32; exact:
;;                   the keyword counts in one casing only (keyword-case.ts), its KWBYTES are
;;                   those bytes and every byte is compared raw
;;   145664 KWBYTES  up to 16 KiB: the keywords' lower-case bytes (an exact keyword's own bytes)
;;   163840 OUT      8192 x (address, keyword index) i32: hits of one call
;;   262144 TRI      256 KiB, a bit per entry: 1 where some keyword's bytes 0-2 or 1-3 are these
;;                   three bytes (a 3-byte keyword: bytes 1-2 and any third), both cases of each
;;                   letter: index x = b0 | b1 << 8 | (b2 & 0x1f) << 16 (third bytes equal in
;;                   their low five bits share an entry: a superset, the exact test decides), bit
;;                   x & 31 of the i32 at TRI + (x >> 5) * 4
;;   524288 INPUT    the bytes to scan (memory grows as needed; 16 bytes past the end are read)
(module
  (memory (export "memory") 8)
  (global (export "TRI") i32 (i32.const 262144))
  (global (export "LOWER") i32 (i32.const 131072))
  (global (export "BUCKETS") i32 (i32.const 131328))
  (global (export "ENTRIES") i32 (i32.const 133376))
  (global (export "KWBYTES") i32 (i32.const 145664))
  (global (export "OUT") i32 (i32.const 163840))
  (global (export "OUT_CAP") i32 (i32.const 8192))
  (global (export "INPUT") i32 (i32.const 524288))
  (global (export "FOLLOW") i32 (i32.const 65536))
  (global (export "CLASSES") i32 (i32.const 69632))
  (global (export "WORDS") i32 (i32.const 118784))
  ;; Where the last `scan` call stopped: its `end` when done, else the first position not looked at.
  (global $resume (export "resume") (mut i32) (i32.const 0))
  ;; 0: report every keyword hit (raw); 1: only those that what follows allows ($follows).
  (global $filter (export "filter") (mut i32) (i32.const 1))
  ;; OnLine's last search ($follows): from $onLineFrom it ended at $onLineAt, on the pair
  ;; $onLinePair (found there or not). JS sets $onLineFrom to -1 before each new input.
  (global $onLineFrom (export "onLineFrom") (mut i32) (i32.const -1))
  (global $onLineAt (mut i32) (i32.const 0))
  (global $onLinePair (mut i32) (i32.const -1))
  (global $onLineFound (mut i32) (i32.const 0))

  ;; Whether the bytes after a hit of keyword $k (from $p, the keyword's end, to $end) let its
  ;; rules match there: followOk in follow.ts, line for line (kinds and records are described
  ;; there).
  (func $follows (param $k i32) (param $p i32) (param $end i32) (result i32)
    (local $kind i32) (local $a i32) (local $cls i32) (local $n i32) (local $c i32)
    (local.set $kind (i32.load8_u offset=65536 (i32.shl (local.get $k) (i32.const 2))))
    (if (i32.eqz (local.get $kind)) (then (return (i32.const 1))))
    (local.set $a (i32.load8_u offset=65537 (i32.shl (local.get $k) (i32.const 2))))
    (local.set $c (i32.load8_u offset=65538 (i32.shl (local.get $k) (i32.const 2))))
    (local.set $cls (i32.add (i32.const 69632) (i32.shl (local.get $c) (i32.const 8))))
    ;; 1 Run: at least $a bytes of the class.
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then
        (if (i32.gt_u (i32.add (local.get $p) (local.get $a)) (local.get $end)) (then (return (i32.const 0))))
        (block $done
          (loop $run
            (br_if $done (i32.ge_u (local.get $n) (local.get $a)))
            (if (i32.eqz (i32.load8_u (i32.add (local.get $cls) (i32.load8_u (i32.add (local.get $p) (local.get $n))))))
              (then (return (i32.const 0))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $run)))
        (return (i32.const 1))))
    ;; 2 Assignment: key-name bytes (more than $a: pass), an optional quote, spaces or tabs, ':' or '='.
    (if (i32.eq (local.get $kind) (i32.const 2))
      (then
        (block $key
          (loop $rest
            (br_if $key (i32.ge_u (local.get $p) (local.get $end)))
            (br_if $key (i32.eqz (i32.load8_u (i32.add (local.get $cls) (i32.load8_u (local.get $p))))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (if (i32.gt_u (local.get $n) (local.get $a)) (then (return (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $rest)))
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then
            (local.set $c (i32.load8_u (local.get $p)))
            (if (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.eq (local.get $c) (i32.const 39)))
              (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))))
        (block $spaces
          (loop $sp
            (br_if $spaces (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $c (i32.load8_u (local.get $p)))
            (br_if $spaces (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 9))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $sp)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.and (i32.ne (local.get $c) (i32.const 58)) (i32.ne (local.get $c) (i32.const 61))) (then (return (i32.const 0))))
        ;; The value, after an operator of one byte or of two (:= =>); class2 is where it stops.
        (local.set $cls (i32.add (i32.const 69632) (i32.shl (i32.load8_u offset=65539 (i32.shl (local.get $k) (i32.const 2))) (i32.const 8))))
        (if (call $value (i32.add (local.get $p) (i32.const 1)) (local.get $end) (local.get $cls)) (then (return (i32.const 1))))
        (if (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $end)) (then (return (i32.const 0))))
        (local.set $n (i32.load8_u offset=1 (local.get $p)))
        (if (i32.eqz (i32.or (i32.and (i32.eq (local.get $c) (i32.const 58)) (i32.eq (local.get $n) (i32.const 61)))
                             (i32.and (i32.eq (local.get $c) (i32.const 61)) (i32.eq (local.get $n) (i32.const 62)))))
          (then (return (i32.const 0))))
        (return (call $value (i32.add (local.get $p) (i32.const 2)) (local.get $end) (local.get $cls)))))
    ;; 3 Colon: an optional quote, whitespace, then ':'.
    (if (i32.eq (local.get $kind) (i32.const 3))
      (then
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then
            (local.set $c (i32.load8_u (local.get $p)))
            (if (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.eq (local.get $c) (i32.const 39)))
              (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))))
        (block $white
          (loop $w
            (br_if $white (i32.ge_u (local.get $p) (local.get $end)))
            (br_if $white (i32.eqz (i32.load8_u (i32.add (local.get $cls) (i32.load8_u (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $w)))
        (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (i32.const 0))))
        (return (i32.eq (i32.load8_u (local.get $p)) (i32.const 58)))))
    ;; 4 Userinfo: an '@' within $a bytes, before any byte of the class.
    (if (i32.eq (local.get $kind) (i32.const 4))
      (then
        (block $none
          (loop $u
            (br_if $none (i32.ge_u (local.get $n) (local.get $a)))
            (br_if $none (i32.ge_u (i32.add (local.get $p) (local.get $n)) (local.get $end)))
            (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $n))))
            (if (i32.eq (local.get $c) (i32.const 64)) (then (return (i32.const 1))))
            (br_if $none (i32.load8_u (i32.add (local.get $cls) (local.get $c))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $u)))
        (return (i32.const 0))))
    ;; 5 OnLine: the bytes $a, (class byte) before the line's end. A hit inside the stretch the
    ;; last search went over (same pair) has its answer: searched once per hit, a line of
    ;; thousands of hits was searched to its end thousands of times.
    (local.set $n (i32.or (local.get $a) (i32.shl (local.get $c) (i32.const 8))))
    (if (i32.and (i32.eq (local.get $n) (global.get $onLinePair))
          (i32.and (i32.ge_u (local.get $p) (global.get $onLineFrom)) (i32.le_u (local.get $p) (global.get $onLineAt))))
      (then (return (global.get $onLineFound))))
    (global.set $onLinePair (local.get $n))
    (global.set $onLineFrom (local.get $p))
    (block $no
      (loop $l
        (br_if $no (i32.ge_u (i32.add (local.get $p) (i32.const 1)) (local.get $end)))
        (local.set $n (i32.load8_u (local.get $p)))
        (br_if $no (i32.eq (local.get $n) (i32.const 10)))
        (if (i32.and (i32.eq (local.get $n) (local.get $a)) (i32.eq (i32.load8_u offset=1 (local.get $p)) (local.get $c)))
          (then
            (global.set $onLineAt (local.get $p))
            (global.set $onLineFound (i32.const 1))
            (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l)))
    (global.set $onLineAt (local.get $p))
    (global.set $onLineFound (i32.const 0))
    (i32.const 0))

  ;; Whether an assignment's value starts at $v (valueAt in follow.ts, line for line): spaces or
  ;; tabs, an optional quote, then 8 bytes (VALUE_MIN) outside the class at $cls.
  (func $value (param $v i32) (param $end i32) (param $cls i32) (result i32)
    (local $n i32) (local $c i32)
    (block $spaces
      (loop $sp
        (br_if $spaces (i32.ge_u (local.get $v) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $v)))
        (br_if $spaces (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 9))))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $sp)))
    (if (i32.lt_u (local.get $v) (local.get $end))
      (then
        (local.set $c (i32.load8_u (local.get $v)))
        (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 34)) (i32.eq (local.get $c) (i32.const 39))) (i32.eq (local.get $c) (i32.const 96)))
          (then (local.set $v (i32.add (local.get $v) (i32.const 1)))))))
    (block $run
      (loop $r
        (br_if $run (i32.ge_u (local.get $n) (i32.const 8)))
        (br_if $run (i32.ge_u (i32.add (local.get $v) (local.get $n)) (local.get $end)))
        (br_if $run (i32.load8_u (i32.add (local.get $cls) (i32.load8_u (i32.add (local.get $v) (local.get $n))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $r)))
    (i32.eq (local.get $n) (i32.const 8)))

  ;; Compare the keywords of bucket $b with the bytes at $i (input ends at $end); append each
  ;; full match to OUT at slot $n; return the new $n. The first two bytes matched via PAIR.
  ;; The first four bytes are one compare (WORDS: a byte loop from the third byte was two thirds
  ;; of this function's time), the rest one byte at a time.
  (func $match (param $i i32) (param $end i32) (param $b i32) (param $n i32) (result i32)
    (local $q i32) (local $qe i32) (local $e i32) (local $len i32) (local $off i32) (local $j i32) (local $x i32)
    (local $w i32)
    (local.set $q (i32.load offset=131328 (i32.shl (local.get $b) (i32.const 3))))
    (local.set $qe (i32.load offset=131332 (i32.shl (local.get $b) (i32.const 3))))
    (block $done
      (loop $entries
        (br_if $done (i32.ge_u (local.get $q) (local.get $qe)))
        (local.set $e (i32.add (i32.const 133376) (i32.mul (local.get $q) (i32.const 12))))
        (local.set $w (i32.add (i32.const 118784) (i32.mul (local.get $q) (i32.const 12))))
        (local.set $len (i32.load offset=8 (local.get $e)))
        ;; An exact keyword: all its bytes compared raw (the pair table matched its first two folded).
        (local.set $x (i32.shr_u (local.get $len) (i32.const 16)))
        (local.set $len (i32.and (local.get $len) (i32.const 0xffff)))
        (if (i32.and
              (i32.le_u (i32.add (local.get $i) (local.get $len)) (local.get $end))
              (i32.eq
                (i32.and (i32.or (i32.load (local.get $i)) (i32.load offset=8 (local.get $w))) (i32.load offset=4 (local.get $w)))
                (i32.load (local.get $w))))
          (then
            (local.set $off (i32.load offset=4 (local.get $e)))
            (local.set $j (i32.const 4))
            (block $mismatch
              (loop $cmp
                (if (i32.lt_u (local.get $j) (local.get $len))
                  (then
                    (br_if $mismatch
                      (i32.ne
                        (select
                          (i32.load8_u (i32.add (local.get $i) (local.get $j)))
                          (i32.load8_u offset=131072 (i32.load8_u (i32.add (local.get $i) (local.get $j))))
                          (local.get $x))
                        (i32.load8_u offset=145664 (i32.add (local.get $off) (local.get $j)))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $cmp))))
              (if (i32.or (i32.eqz (global.get $filter))
                          (call $follows (i32.load (local.get $e)) (i32.add (local.get $i) (local.get $len)) (local.get $end)))
                (then
                  (i32.store offset=163840 (i32.shl (local.get $n) (i32.const 3)) (local.get $i))
                  (i32.store offset=163844 (i32.shl (local.get $n) (i32.const 3)) (i32.load (local.get $e)))
                  (local.set $n (i32.add (local.get $n) (i32.const 1))))))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $entries)))
    (local.get $n))

  ;; Find keyword hits starting in [$start, $end - 1) of memory (a keyword must end by $end).
  ;; Returns the hits written to OUT; stops early (see $resume) when OUT is nearly full.
  (func (export "scan") (param $start i32) (param $end i32) (result i32)
    (local $i i32) (local $last i32) (local $n i32) (local $b i32) (local $q i32) (local $m i32) (local $fast i32) (local $x i32)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32) (local $t4 i32) (local $t5 i32) (local $t6 i32) (local $t7 i32)
    (local.set $i (local.get $start))
    (local.set $last (i32.sub (local.get $end) (i32.const 1)))
    (local.set $fast (i32.sub (local.get $end) (i32.const 18)))
    (block $exit
      (block $tail
        (loop $blocks
          ;; Fast path: sixteen positions per step, looked up at every other one (TRI holds each
          ;; keyword's bytes 0-2 and 1-3, so a keyword starting at $i + 2k or $i + 2k - 1 shows at
          ;; $i + 2k). A step is responsible for keywords starting in [$i - 1, $i + 15). Reads up
          ;; to $i + 17 < $end: the last positions go one at a time below.
          (br_if $tail (i32.ge_s (local.get $i) (local.get $fast)))
          ;; TRI[the 3 bytes at $i + 2k], written out eight times: V8 did not inline a helper
          ;; function here, and the call halved the speed.
          (if (i32.and (i32.const 1) (i32.or (i32.or (i32.or (local.tee $t0 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x))) (local.tee $t1 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load offset=2 (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x)))) (i32.or (local.tee $t2 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load offset=4 (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x))) (local.tee $t3 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load offset=6 (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x))))) (i32.or (i32.or (local.tee $t4 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load offset=8 (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x))) (local.tee $t5 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load offset=10 (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x)))) (i32.or (local.tee $t6 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load offset=12 (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x))) (local.tee $t7 (i32.shr_u (i32.load offset=262144 (i32.and (i32.shr_u (local.tee $x (i32.load offset=14 (local.get $i))) (i32.const 3)) (i32.const 0x3fffc))) (local.get $x)))))))
            (then
              ;; Some keyword may start in the step's range: the looked-up positions whose TRI bit
              ;; is set (the eight lookups kept in $t0-$t7, as a mask), each in turn; there the
              ;; position before it and itself go through the exact pair table (in order: position
              ;; $q covers starts $q - 1 and $q). Positions without the bit start no keyword. (The
              ;; eight lookups were made again here, for every position: on a tree of npm packages a
              ;; fifth of the steps come here, and the prefilter took 1.25 times as long.)
              (local.set $m
                (i32.or
                  (i32.or
                    (i32.or (i32.and (local.get $t0) (i32.const 1)) (i32.shl (i32.and (local.get $t1) (i32.const 1)) (i32.const 1)))
                    (i32.or (i32.shl (i32.and (local.get $t2) (i32.const 1)) (i32.const 2)) (i32.shl (i32.and (local.get $t3) (i32.const 1)) (i32.const 3))))
                  (i32.or
                    (i32.or (i32.shl (i32.and (local.get $t4) (i32.const 1)) (i32.const 4)) (i32.shl (i32.and (local.get $t5) (i32.const 1)) (i32.const 5)))
                    (i32.or (i32.shl (i32.and (local.get $t6) (i32.const 1)) (i32.const 6)) (i32.shl (i32.and (local.get $t7) (i32.const 1)) (i32.const 7))))))
              (loop $each
                (local.set $q (i32.add (local.get $i) (i32.shl (i32.ctz (local.get $m)) (i32.const 1))))
                (if (i32.gt_u (local.get $n) (i32.const 7936)) ;; OUT_CAP - 256: room for two buckets
                  (then
                    (global.set $resume (select (i32.sub (local.get $q) (i32.const 1)) (local.get $q) (i32.gt_s (local.get $q) (local.get $start))))
                    (return (local.get $n))))
                (if (i32.gt_s (local.get $q) (local.get $start))
                  (then
                    (local.set $b (i32.load8_u (i32.load16_u offset=0 (i32.sub (local.get $q) (i32.const 1)))))
                    (if (local.get $b)
                      (then (local.set $n (call $match (i32.sub (local.get $q) (i32.const 1)) (local.get $end) (local.get $b) (local.get $n)))))))
                (local.set $b (i32.load8_u (i32.load16_u (local.get $q))))
                (if (local.get $b)
                  (then (local.set $n (call $match (local.get $q) (local.get $end) (local.get $b) (local.get $n)))))
                (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
                (br_if $each (local.get $m)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $blocks)))
      ;; The tail, one position at a time, from the first position no step covered (a step's
      ;; range starts one before it).
      (if (i32.gt_s (local.get $i) (local.get $start)) (then (local.set $i (i32.sub (local.get $i) (i32.const 1)))))
      (loop $one
        (br_if $exit (i32.ge_s (local.get $i) (local.get $last)))
        (if (i32.gt_u (local.get $n) (i32.const 7936))
          (then
            (global.set $resume (local.get $i))
            (return (local.get $n))))
        (local.set $b (i32.load8_u (i32.load16_u (local.get $i))))
        (if (local.get $b)
          (then (local.set $n (call $match (local.get $i) (local.get $end) (local.get $b) (local.get $n)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
    (global.set $resume (local.get $end))
    (local.get $n))

  ;; Count the newline bytes in [$p, $end), 16 at a time.
  (func (export "newlines") (param $p i32) (param $end i32) (result i32)
    (local $n i32)
    (block $tail
      (loop $v
        (br_if $tail (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (local.set $n
          (i32.add (local.get $n)
            (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (i8x16.splat (i32.const 10)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
    (block $done
      (loop $s
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $n (i32.add (local.get $n) (i32.eq (i32.load8_u (local.get $p)) (i32.const 10))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $s)))
    (local.get $n)))
