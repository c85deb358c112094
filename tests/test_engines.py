"""fastlex.arrow.tokenize_table under real data engines, started by the tests themselves.

A Parquet dataset of Ruby's standard library (every .rb file of the corpus,
plus a few rows with lexing errors and a null row) is lexed by:

- a Dask distributed ``LocalCluster`` with two worker processes, both through
  ``client.map`` over Arrow tables read per Parquet file and through
  ``dask.dataframe.read_parquet(...).map_partitions`` on a pyarrow-backed frame;
- Spark in local mode (``local[2]``) through ``DataFrame.mapInArrow``;

and each must give exactly what ``fastlex.tokenize`` gives file by file in
this process: kinds, starts, ends and errors. The Dask tests also check that
two distinct worker processes did work, the Spark test that the work was
split into several tasks run by two Python worker processes.

Marked ``engines``: ``pytest -m "not engines"`` leaves them out. They need
pyspark, dask[dataframe,distributed], pyarrow and Java (``pip install -e
'.[test,spark,dask]'``); in CI (``CI`` set) a missing one fails the tests,
elsewhere it skips them.
"""
import importlib
import os
import shutil
import sys

import pytest

from corpus import CORPUS, corpus_files

pytestmark = [
    pytest.mark.engines,
    # pyspark 4.x warns about pandas 3 on every Arrow UDF; the Arrow path used here does not go through pandas.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

PARQUET_FILES = 6        # files of the dataset: Dask's client.map and read_parquet split on them
ROW_GROUP_SIZE = 40      # rows per row group: Spark splits the files on them (maxPartitionBytes 1m)

# Rows added to the corpus: lexing errors (invalid UTF-8, unterminated literals)
# and a null source, so the errors column and null rows are compared too.
EXTRA_ROWS = [
    ("synthetic/invalid_utf8.rb", b'x = "\xff\xfe"\n# caf\xc3\n:\xe9t\xe9\n'),
    ("synthetic/unterminated.rb", b'def f\n  "abc #{1 +\n'),
    ("synthetic/heredoc.rb", b"a = <<~EOS\n  never closed\n"),
    ("synthetic/empty.rb", b""),
    ("synthetic/null.rb", None),
]


def _need(module):
    """Import ``module``: a missing one fails the test in CI and skips it elsewhere."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        message = f"{module} is not installed ({exc}); pip install -e '.[test,spark,dask]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _need_java():
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.path.exists(os.path.join(java_home, "bin", "java")):
        return
    if shutil.which("java"):
        return
    message = "Java is not installed (Spark needs it: apt-get install openjdk-17-jre-headless)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# -- the dataset and what a single process makes of it --------------------------------------


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """(folder of Parquet files, list of their paths, {path: expected result})."""
    pa = _need("pyarrow")
    pq = _need("pyarrow.parquet")
    np = _need("numpy")
    import fastlex

    rows = []
    for name in corpus_files():
        with open(name, "rb") as f:
            rows.append((os.path.relpath(name, CORPUS), f.read()))
    rows.extend(EXTRA_ROWS)

    folder = tmp_path_factory.mktemp("corpus_parquet")
    schema = pa.schema([("path", pa.string()), ("content", pa.binary())])
    files = []
    for i in range(PARQUET_FILES):
        part = rows[i::PARQUET_FILES]          # round robin: parts of about the same size
        table = pa.table({"path": [p for p, _ in part], "content": [c for _, c in part]}, schema=schema)
        files.append(str(folder / f"part-{i}.parquet"))
        pq.write_table(table, files[-1], row_group_size=ROW_GROUP_SIZE)

    expected = {}
    for path, content in rows:
        if content is None:
            expected[path] = None
            continue
        toks = fastlex.tokenize(content)
        expected[path] = (
            np.array(memoryview(toks.kinds), dtype=np.int64),
            np.array(memoryview(toks.starts), dtype=np.int64),
            np.array(memoryview(toks.ends), dtype=np.int64),
            [(e.offset, e.message) for e in toks.errors],
        )
    assert any(exp and exp[3] for exp in expected.values()), "no row of the dataset has lexing errors"
    return str(folder), files, expected


def check_identical(tables, expected):
    """``tables`` (path, tokens, errors) hold exactly the single-process results, one row per path."""
    pa = _need("pyarrow")
    pc = _need("pyarrow.compute")
    np = _need("numpy")

    # Whatever list (list or large_list) and integer types the engine hands back,
    # compare as int64 columns: one flat array per field, and the list lengths.
    wide = pa.large_list(pa.struct([("kind", pa.int64()), ("start", pa.int64()), ("end", pa.int64())]))
    errors_type = pa.large_list(pa.struct([("offset", pa.int64()), ("message", pa.large_string())]))
    schema = pa.schema([("path", pa.large_string()), ("tokens", wide), ("errors", errors_type)])
    table = pa.concat_tables([t.select(["path", "tokens", "errors"]).cast(schema) for t in tables])
    table = table.sort_by("path")
    paths = table.column("path").to_pylist()
    assert paths == sorted(expected), "the engine lost, duplicated or invented rows"

    tokens = table.column("tokens").combine_chunks()
    valid = np.array([expected[p] is not None for p in paths])
    assert np.array_equal(~np.array(tokens.is_null()), valid), "null sources must give null token lists"
    lengths = np.array(pc.list_value_length(tokens).fill_null(0), dtype=np.int64)
    want_lengths = np.array([0 if expected[p] is None else len(expected[p][0]) for p in paths], dtype=np.int64)
    if not np.array_equal(lengths, want_lengths):
        bad = [p for p, n, w in zip(paths, lengths, want_lengths) if n != w]
        pytest.fail(f"token counts differ for {len(bad)} files, first {bad[:5]}")
    flat = pc.list_flatten(tokens)
    for i, field in enumerate(("kind", "start", "end")):
        got = np.array(flat.field(field), dtype=np.int64)
        want = np.concatenate([expected[p][i] for p in paths if expected[p] is not None])
        if not np.array_equal(got, want):
            at = int(np.flatnonzero(got != want)[0])
            owner = paths[int(np.searchsorted(np.cumsum(want_lengths), at, side="right"))]
            pytest.fail(f"token {field}s differ, first at flat index {at} (file {owner})")

    errors = table.column("errors").to_pylist()
    for path, errs in zip(paths, errors):
        if expected[path] is None:
            assert errs is None, path
        else:
            assert [(e["offset"], e["message"]) for e in errs] == expected[path][3], path


# -- Dask ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    _need("pyarrow")
    _need("dask.dataframe")
    distributed = _need("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=None, memory_limit="2GiB", silence_logs=40)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _dask_lex_file():
    # Defined inside a function so that cloudpickle sends it by value: the
    # workers need fastlex and pyarrow, not this test module.
    def lex_file(parquet_path):
        import os
        import pyarrow.parquet as pq
        import fastlex.arrow

        table = fastlex.arrow.tokenize_table(pq.read_table(parquet_path, columns=["path", "content"]))
        return os.getpid(), table.select(["path", "tokens", "errors"])
    return lex_file


def test_dask_client_map_over_arrow_tables(dataset, dask_client):
    _, files, expected = dataset
    futures = dask_client.map(_dask_lex_file(), files, pure=False)
    results = dask_client.gather(futures)
    pids = {pid for pid, _ in results}
    assert os.getpid() not in pids, "the files were lexed in the test process, not on the workers"
    assert len(pids) == 2, f"expected 2 worker processes to lex files, got pids {sorted(pids)}"
    check_identical([t for _, t in results], expected)


def _dask_lex_partition():
    def lex_partition(df):
        import os
        import pandas as pd
        import pyarrow as pa
        import fastlex.arrow

        table = fastlex.arrow.tokenize_table(pa.Table.from_pandas(df, preserve_index=False))
        table = table.select(["path", "tokens", "errors"])
        table = table.append_column("pid", pa.array([os.getpid()] * len(table), pa.int64()))
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    return lex_partition


def test_dask_read_parquet_map_partitions(dataset, dask_client):
    pa = _need("pyarrow")
    pd = _need("pandas")
    dd = _need("dask.dataframe")
    folder, _, expected = dataset
    df = dd.read_parquet(folder, dtype_backend="pyarrow", split_row_groups=True)
    assert df.npartitions >= 4, df.npartitions
    lex_partition = _dask_lex_partition()
    # The output's columns, taken from the function on an empty partition.
    meta = lex_partition(df._meta)
    lexed = df.map_partitions(lex_partition, meta=meta)
    result = dask_client.compute(lexed).result()
    pids = set(result["pid"].tolist())
    assert os.getpid() not in pids, "the partitions were lexed in the test process, not on the workers"
    assert len(pids) == 2, f"expected 2 worker processes to lex partitions, got pids {sorted(pids)}"
    table = pa.Table.from_pandas(result.drop(columns=["pid"]), preserve_index=False)
    assert isinstance(result, pd.DataFrame)
    check_identical([table], expected)


# -- Spark -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark():
    _need("pyarrow")
    _need("pandas")          # pyspark's Arrow paths require it
    sql = _need("pyspark.sql")
    _need_java()
    # Spark's Python workers run PYSPARK_PYTHON (default: python3 on PATH, which
    # may lack fastlex and pyarrow): make them run this interpreter.
    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("fastlex-test-engines")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.files.maxPartitionBytes", "1m")   # several tasks from a 9 MB dataset
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# What the README's "Arrow and data engines" section shows: Spark has no
# unsigned integers, so kind becomes an int and offsets bigints.
SPARK_SCHEMA = (
    "path string, content binary, "
    "tokens array<struct<kind:int,start:bigint,end:bigint>>, "
    "errors array<struct<offset:bigint,message:string>>"
)


def _spark_lex_batches():
    def lex_batches(batches):
        import os
        import pyarrow as pa
        from pyspark import TaskContext
        import fastlex.arrow

        tokens_type = pa.list_(pa.struct([("kind", pa.int32()), ("start", pa.int64()), ("end", pa.int64())]))
        errors_type = pa.list_(pa.struct([("offset", pa.int64()), ("message", pa.string())]))
        for batch in batches:
            out = fastlex.arrow.tokenize_table(batch)
            n = batch.num_rows
            yield pa.RecordBatch.from_arrays(
                batch.columns + [
                    out.column("tokens").cast(tokens_type),
                    out.column("errors").cast(errors_type),
                    pa.array([os.getpid()] * n, pa.int64()),
                    pa.array([TaskContext.get().partitionId()] * n, pa.int32()),
                ],
                names=batch.schema.names + ["tokens", "errors", "pid", "part"])
    return lex_batches


def test_spark_map_in_arrow(dataset, spark):
    folder, _, expected = dataset
    df = spark.read.parquet(folder)
    assert df.rdd.getNumPartitions() >= 4, df.rdd.getNumPartitions()
    lexed = df.mapInArrow(_spark_lex_batches(), SPARK_SCHEMA + ", pid bigint, part int")
    lexed = lexed.select("path", "tokens", "errors", "pid", "part")
    # toArrow (pyspark >= 4) collects without a Python object per token.
    table = lexed.toArrow() if hasattr(lexed, "toArrow") else lexed._collect_as_arrow()
    if not hasattr(table, "sort_by"):
        pa = _need("pyarrow")
        table = pa.Table.from_batches(table)
    parts = set(table.column("part").to_pylist())
    assert len(parts) >= 4, f"expected the dataset split into several Spark tasks, got {sorted(parts)}"
    pids = set(table.column("pid").to_pylist())
    assert os.getpid() not in pids
    assert len(pids) >= 2, f"expected local[2]'s two Python workers to lex batches, got pids {sorted(pids)}"
    check_identical([table], expected)
