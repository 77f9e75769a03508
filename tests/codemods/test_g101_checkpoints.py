"""G101 on tf.train.Saver (g101_session_to_function/checkpoints.py).

The fixtures graph/saver_restore_new_session and graph/saver_global_step_checkpoints
prove the numbers; these check the generated shape and the refusals.
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


GRAPH = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([2, 1]))
b = tf.Variable(tf.zeros([1]))
step = tf.Variable(0, trainable=False)
loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y))
train_op = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=step)
"""
DATA = "data = [[1.0, 2.0]]\nlabels = [[1.0]]\n"


def declined(text: str, findings, reason: str) -> bool:
    return "compat.v1" in text and any(reason in f.message and f.kind == "declined" for f in findings)


def test_saver_becomes_checkpoint_over_variables_and_built_optimizer() -> None:
    text, findings = migrate(GRAPH + DATA + """\
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: data, y: labels})
    path = saver.save(sess, "./model.ckpt")
    saver.restore(sess, path)
    print(sess.run(loss, feed_dict={x: data, y: labels}))
""")
    assert "compat.v1" not in text and "Session" not in text and "train.Saver" not in text
    assert "optimizer.build([W, b])\nsaver = tf.train.Checkpoint(W=W, b=b, step=step, optimizer=optimizer)\n" in text
    assert 'path = saver.write("./model.ckpt")\n' in text
    assert "saver.read(path).assert_existing_objects_matched()\n" in text
    assert any("tf.train.Saver -> tf.train.Checkpoint over W, b, step, optimizer" in f.message for f in findings)


def test_save_with_global_step_writes_tf1_file_name() -> None:
    text, _ = migrate(GRAPH + DATA + """\
saver = tf.train.Saver(max_to_keep=2)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        sess.run(train_op, feed_dict={x: data, y: labels})
        saver.save(sess, "./ckpt/model", global_step=step)
        saver.save(sess, "./ckpt/other", i)
""")
    assert 'saver.write("%s-%d" % ("./ckpt/model", step.numpy()))' in text
    assert 'saver.write("%s-%d" % ("./ckpt/other", i))' in text
    assert "max_to_keep" not in text


def test_kept_restore_result_is_none_as_in_tf1() -> None:
    text, _ = migrate(GRAPH + DATA + """\
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, "./m.ckpt")
    result = saver.restore(sess, "./m.ckpt")
    print(result)
""")
    assert 'saver.read("./m.ckpt").assert_existing_objects_matched()\nresult = None\n' in text


def test_var_list_saver_holds_only_the_listed_variables() -> None:
    text, _ = migrate(GRAPH + DATA + """\
saver = tf.train.Saver([W, b])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: data, y: labels})
    saver.save(sess, "./m.ckpt")
""")
    assert "saver = tf.train.Checkpoint(W=W, b=b)\n" in text
    assert "Saver holds" not in text  # no slots built for the checkpoint (the step's own build only)


def test_saver_before_the_optimizer_holds_no_slots() -> None:
    source = GRAPH.replace("train_op = ", "saver = tf.train.Saver()\ntrain_op = ") + DATA
    text, _ = migrate(source + """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: data, y: labels})
    saver.save(sess, "./m.ckpt")
""")
    assert "saver = tf.train.Checkpoint(W=W, b=b, step=step)\n" in text


def test_restore_in_a_new_session_after_reinitialising() -> None:
    text, _ = migrate(GRAPH + DATA + """\
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: data, y: labels})
    saver.save(sess, "./m.ckpt")
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.restore(sess, "./m.ckpt")
    print(sess.run(W))
""")
    assert "compat.v1" not in text and "global_variables_initializer" not in text


def test_reinitialised_variables_used_before_a_restore_are_set_back() -> None:
    # TF1 evaluated the loss at the initial values, then restored: the variables are set
    # back first; the optimizer's slots, which the restore brings back before any
    # training, are left alone.
    text, findings = migrate(GRAPH + DATA + """\
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: data, y: labels})
    saver.save(sess, "./m.ckpt")
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(loss, feed_dict={x: data, y: labels}))
    saver.restore(sess, "./m.ckpt")
""")
    assert "compat.v1" not in text
    assert "W.assign(tf.zeros([2, 1]))\nb.assign(tf.zeros([1]))\nstep.assign(0)\nprint(compute_loss(data, labels).numpy())\n" in text


def test_restore_after_reinitialising_without_the_slots_falls_back() -> None:
    source = GRAPH.replace("train_op = ", "saver = tf.train.Saver()\ntrain_op = ") + DATA
    text, findings = migrate(source + """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, feed_dict={x: data, y: labels})
    saver.save(sess, "./m.ckpt")
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.restore(sess, "./m.ckpt")
    sess.run(train_op, feed_dict={x: data, y: labels})
""")
    assert declined(text, findings, "resets the state of optimizer `optimizer` (its slots and steps)")


def test_state_file_readers_save_through_a_checkpoint_manager() -> None:
    text, findings = migrate(GRAPH + DATA + """\
saver = tf.train.Saver(max_to_keep=0)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, "./ckpt/m", global_step=step)
    saver.restore(sess, tf.train.latest_checkpoint("./ckpt"))
    print(tf.train.checkpoint_exists(CKPT_DIR + "/m-1"))
    print(saver.save(sess, CKPT_DIR + "/model", global_step=7))
""")
    assert 'tf.train.CheckpointManager(saver, "./ckpt", max_to_keep=None, checkpoint_name="m").save(checkpoint_number=step.numpy())' in text
    assert 'saver.read(tf.train.latest_checkpoint("./ckpt")).assert_existing_objects_matched()' in text
    assert 'bool(tf.io.gfile.glob(CKPT_DIR + "/m-1" + ".index") or tf.io.gfile.glob(CKPT_DIR + "/m-1"))' in text
    assert 'tf.train.CheckpointManager(saver, CKPT_DIR, max_to_keep=None, checkpoint_name="model").save(checkpoint_number=7)' in text
    assert not any(f.kind == "declined" for f in findings)


def test_restore_or_initialise_block() -> None:
    text, _ = migrate(GRAPH + DATA + """\
sess = tf.Session()
saver = tf.train.Saver(tf.global_variables(), keep_checkpoint_every_n_hours=2)
ckpt = tf.train.get_checkpoint_state("./model")
if ckpt and ckpt.model_checkpoint_path:
    saver.restore(sess, ckpt.model_checkpoint_path)
else:
    # a comment
    sess.run(tf.global_variables_initializer())
sess.run(train_op, feed_dict={x: data, y: labels})
saver.save(sess, "./model/m.ckpt", global_step=step)
""")
    assert "if ckpt and ckpt.model_checkpoint_path:\n    saver.read(ckpt.model_checkpoint_path)" in text
    assert "else" not in text and "global_variables_initializer" not in text
    assert "max_to_keep=5, keep_checkpoint_every_n_hours=2, checkpoint_name=" in text


def test_state_file_saves_the_manager_cannot_write_fall_back() -> None:
    restore = '    saver.restore(sess, tf.train.latest_checkpoint("./ckpt"))\n'
    head = "saver = tf.train.Saver()\nwith tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
    text, findings = migrate(GRAPH + DATA + head + '    saver.save(sess, "./ckpt/m")\n' + restore)
    assert declined(text, findings, "`saver.save` without global_step: the module reads the `checkpoint` state file")
    text, findings = migrate(GRAPH + DATA + head + '    saver.save(sess, "m", global_step=step)\n' + restore)
    assert declined(text, findings, "`saver.save` to a path whose folder this rule cannot tell")
    text, findings = migrate(GRAPH + DATA + head + '    saver.save(sess, os.path.join(d, "m"), global_step=step)\n' + restore)
    assert declined(text, findings, "`saver.save` to a path whose folder this rule cannot tell")
    keep = head.replace("Saver()", "Saver(max_to_keep=n)")
    text, findings = migrate(GRAPH + DATA + keep + '    saver.save(sess, "./ckpt/m", global_step=step)\n' + restore)
    assert declined(text, findings, "max_to_keep is not a number literal")
    text, findings = migrate(GRAPH + DATA + head + '    tf.train.update_checkpoint_state("./ckpt", "./ckpt/m")\n')
    assert declined(text, findings, "`tf.train.update_checkpoint_state(...)`")


def test_state_file_without_reader_keeps_write() -> None:
    text, _ = migrate(GRAPH + DATA + """\
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, "./ckpt/m", global_step=step)
""")
    assert 'saver.write("%s-%d" % ("./ckpt/m", step.numpy()))' in text and "CheckpointManager" not in text


def test_other_saver_uses_and_options_fall_back() -> None:
    run = """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, "./m.ckpt")
"""
    text, findings = migrate(GRAPH + DATA + "saver = tf.train.Saver()\n" + run + "print(saver.last_checkpoints)\n")
    assert declined(text, findings, "used other than by save(sess, path) / restore(sess, path)")
    text, findings = migrate(GRAPH + DATA + "saver = tf.train.Saver(pad_step_number=True)\n" + run)
    assert declined(text, findings, "option `pad_step_number` has no tf.train.Checkpoint equivalent")
    text, findings = migrate(GRAPH + DATA + "saver = tf.train.Saver()\n" + run.replace('"./m.ckpt"', '"./m.ckpt", latest_filename="x"'))
    assert declined(text, findings, "`saver.save(..., latest_filename=...)`")


def test_saver_not_at_the_graph_level_falls_back() -> None:
    text, findings = migrate(GRAPH + DATA + """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(2):
        tf.train.Saver().save(sess, "./m.ckpt")
""")
    assert declined(text, findings, "`tf.train.Saver` has no eager equivalent")


def test_assignment_of_a_loop_value_in_a_loop_is_eager() -> None:
    """lab-13-3's epoch counter, saved with the model: ``sess.run(last_epoch.assign(epoch + 1))``."""
    text, findings = migrate(GRAPH + DATA + """\
last_epoch = tf.Variable(0)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(sess.run(last_epoch), 3):
        sess.run(train_op, feed_dict={x: data, y: labels})
        sess.run(last_epoch.assign(epoch + 1))
        done = sess.run(last_epoch.assign_add(epoch))
        print(done)
""")
    assert "\n    last_epoch.assign(epoch + 1)\n" in text
    assert "done = last_epoch.assign_add(epoch).numpy()" in text
    assert not any(f.kind == "declined" for f in findings)
    text, findings = migrate(GRAPH + DATA + """\
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(3):
        sess.run(W.assign(loss * epoch), feed_dict={x: data, y: labels})
""")
    assert declined(text, findings, "the fetch builds new ops from the loop variable `epoch`")
