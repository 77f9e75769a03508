import tensorflow as tf


@tf.function(reduce_retracing=True)
def ctc(logits, labels, label_length, logit_length):
    loss = tf.nn.ctc_loss(
        labels=labels, logits=logits, label_length=label_length, logit_length=logit_length, logits_time_major=False
    )
    return tf.reduce_mean(loss)


def masked_mean(values, mask):
    values = tf.where(mask, values, tf.zeros_like(values))
    total = tf.reduce_sum(values, axis=-1, keepdims=True)
    count = tf.maximum(tf.reduce_sum(tf.cast(mask, values.dtype), axis=-1, keepdims=True), 1.0)
    tf.debugging.assert_greater(count, 0.0)
    return total / count


def pooled(x):
    return tf.nn.max_pool(x, ksize=3, strides=1, padding="SAME") + tf.nn.avg_pool(x, 3, 1, "SAME")


ragged = tf.ragged.constant([[1, 2], [3]])
print(masked_mean(tf.ones([2, 3]), tf.constant([[True, False, True], [False, False, True]])))
