"""G101 on tf.data's TF 1 iterators (g101_session_to_function/data_iterators.py).

The fixture graph/data_iterators_epochs proves the numbers (an initializable iterator
re-initialised each epoch over a seeded shuffle, a one-shot iterator); these check the
generated shape and the refusals.
"""

from __future__ import annotations

import ast
import textwrap

from codemods.graph.g101_session_to_function import GraphToEager
from migrator.engine import Status, migrate_source


def migrate(source: str) -> tuple[str, list]:
    result = migrate_source(textwrap.dedent(source).encode(), "t.py", [GraphToEager])
    assert result.status is not Status.FAILED, result.error
    text = result.new_bytes.decode()
    ast.parse(text)
    again = migrate_source(result.new_bytes, "t.py", [GraphToEager])
    assert again.new_bytes == result.new_bytes, "not idempotent"
    return text, result.findings


def declined(text: str, findings, reason: str) -> bool:
    return "compat.v1" in text and any(reason in f.message and f.kind == "declined" for f in findings)


DATA = """\
import numpy as np
import tensorflow as tf

values = np.arange(12, dtype=np.float32).reshape(6, 2)
"""


def test_a_one_shot_iterator_is_a_python_iterator_passed_to_the_step() -> None:
    text, _ = migrate(DATA + """\
dataset = tf.data.Dataset.from_tensor_slices(values).batch(4)
iterator = dataset.make_one_shot_iterator()
batch = iterator.get_next()
total = tf.reduce_sum(batch)
with tf.Session() as sess:
    while True:
        try:
            print(sess.run(total))
        except tf.errors.OutOfRangeError:
            break
""")
    assert "dataset = tf.data.Dataset.from_tensor_slices(values).batch(4)\niterator = iter(dataset)\n" in text
    assert "def compute_total(iterator):\n    batch = next(iterator)\n    total = tf.reduce_sum(batch)\n" in text
    # OutOfRangeError still ends the loop: next() inside a tf.function raises it.
    assert "print(compute_total(iterator).numpy())\n    except tf.errors.OutOfRangeError:" in text


def test_the_one_shot_function_and_an_unnamed_iterator() -> None:
    text, _ = migrate(DATA + """\
dataset = tf.data.Dataset.from_tensor_slices({"a": values, "b": values * 2}).batch(3)
element = tf.data.make_one_shot_iterator(dataset).get_next()
first = dataset.make_one_shot_iterator().get_next()
sess = tf.Session()
print(sess.run(element))
print(sess.run([element["a"] + first["b"], element]))
""")
    assert "iterator = iter(dataset)\niterator_2 = iter(dataset)\n" in text
    assert "element = next(iterator)\n" in text and "first = next(iterator_2)\n" in text
    # A dataset element may be a dict or tuple: fetched, it comes back as NumPy values in that structure.
    assert "print(tf.nest.map_structure(lambda value: value.numpy(), compute_element(iterator)))" in text
    assert "print(list(tf.nest.map_structure(lambda value: value.numpy(), compute_value_and_element(iterator, iterator_2))))" in text


def test_an_initializer_run_is_a_new_iterator_over_the_dataset() -> None:
    text, findings = migrate(DATA + """\
dataset = tf.data.Dataset.from_tensor_slices(values).batch(4)
iterator = dataset.make_initializable_iterator()
features = iterator.get_next()
w = tf.Variable(tf.ones([2, 1]))
loss = tf.reduce_mean(tf.matmul(features, w))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(3):
        sess.run(iterator.initializer)
        while True:
            try:
                _, value = sess.run([train_op, loss])
            except tf.errors.OutOfRangeError:
                print(epoch, value)
                break
""")
    assert "make_initializable_iterator" not in text and "def make_dataset" not in text  # nothing random to restart
    assert "for epoch in range(3):\n    iterator = iter(dataset)\n" in text
    assert "def train_step(iterator):\n" in text and "features = next(iterator)\n" in text
    assert "value = train_step(iterator).numpy()" in text
    assert not any(f.kind == "declined" for f in findings)


def test_a_shuffled_dataset_started_again_is_built_again() -> None:
    # TF 1's initializer rebuilt the dataset: its seeded shuffle restarted in the same
    # order, where one TF 2 dataset reshuffles for each new iterator.
    text, _ = migrate(DATA + """\
dataset = tf.data.Dataset.from_tensor_slices(values)
# shuffled batches
dataset = dataset.shuffle(6, seed=1).batch(2)
iterator = dataset.make_initializable_iterator()
batch = iterator.get_next()
total = tf.reduce_sum(batch)
with tf.Session() as sess:
    for epoch in range(2):
        sess.run(iterator.initializer)
        print(sess.run(total))
""")
    assert text.count("dataset = ") == 2 and "\n\n\n# shuffled batches\ndef make_dataset():\n" in text
    assert "    dataset = dataset.shuffle(6, seed=1).batch(2)\n    return dataset\n" in text
    assert "    iterator = iter(make_dataset())\n" in text


def test_placeholders_fed_to_the_initializer_become_the_builders_parameters() -> None:
    text, _ = migrate(DATA + """\
features_placeholder = tf.placeholder(tf.float32, [None, 2])
dataset = tf.data.Dataset.from_tensor_slices(features_placeholder).batch(4)
iterator = dataset.make_initializable_iterator()
batch = iterator.get_next()
total = tf.reduce_sum(batch)
with tf.Session() as sess:
    sess.run(iterator.initializer, feed_dict={features_placeholder: values})
    print(sess.run(total))
""")
    assert "def make_dataset(features_placeholder):\n" in text
    assert "    features_placeholder = tf.convert_to_tensor(features_placeholder, tf.float32)" in text
    assert "iterator = iter(make_dataset(values))\n" in text and "placeholder(" not in text


def test_an_initializer_run_with_the_variables_initializer() -> None:
    text, _ = migrate(DATA + """\
dataset = tf.data.Dataset.from_tensor_slices(values).batch(4)
iterator = dataset.make_initializable_iterator()
batch = iterator.get_next()
w = tf.Variable(2.0)
scaled = batch * w
sess = tf.Session()
sess.run([iterator.initializer, tf.global_variables_initializer()])
print(sess.run(scaled))
""")
    assert "\niterator = iter(dataset)\nprint(compute_scaled(iterator).numpy())\n" in text
    assert "global_variables_initializer" not in text


def test_a_reinitializable_iterator_starts_on_each_dataset() -> None:
    text, _ = migrate(DATA + """\
train = tf.data.Dataset.from_tensor_slices(values).batch(4)
test = tf.data.Dataset.from_tensor_slices(values[:2]).batch(2)
iterator = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
next_element = iterator.get_next()
train_init = iterator.make_initializer(train)
test_init = iterator.make_initializer(test)
doubled = next_element * 2.0
with tf.Session() as sess:
    sess.run(train_init)
    print(sess.run(doubled))
    sess.run(test_init)
    print(sess.run(doubled))
""")
    assert "from_structure" not in text and "make_initializer" not in text
    assert "iterator = iter(train)\nprint(compute_doubled(iterator).numpy())\niterator = iter(test)\n" in text


def test_what_cannot_be_followed_keeps_the_module_on_compat_v1() -> None:
    cases = {
        "iterator = dataset.make_one_shot_iterator()\nhandle = iterator.string_handle()\nprint(sess.run(handle))\n":
            "string_handle",
        "def input_fn():\n    return dataset.make_one_shot_iterator().get_next()\nprint(sess.run(input_fn()))\n":
            "cannot follow",
        "iterator = dataset.make_one_shot_iterator()\nprint(sess.run(iterator.get_next()))\n": "used without a name",
        "iterator = dataset.make_initializable_iterator()\nop = sess.run(iterator.initializer)\n": "whose result is used",
        "iterator = dataset.make_initializable_iterator()\nw = tf.Variable(1.0)\nfor i in range(2):\n"
        "    sess.run([iterator.initializer, tf.global_variables_initializer()])\n": "initialised again",
        "iterator = dataset.make_initializable_iterator()\nx = tf.placeholder(tf.float32)\n"
        "sess.run(iterator.initializer, feed_dict={x: 1.0})\n": "does not read",
    }
    for code, reason in cases.items():
        text, findings = migrate(DATA + "dataset = tf.data.Dataset.from_tensor_slices(values)\nsess = tf.Session()\n" + code)
        assert declined(text, findings, reason), (code, [f.message for f in findings])


def test_tf2_iteration_is_left_alone() -> None:
    source = DATA + "dataset = tf.data.Dataset.from_tensor_slices(values).batch(4)\nfor batch in dataset:\n    print(batch)\n"
    assert migrate(source)[0] == textwrap.dedent(source)
