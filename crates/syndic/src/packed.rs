//! Sorted, distinct `u32` keys packed in Elias–Fano code: each key's low
//! `L = floor(log2(range / n))` bits stored as they are, its high bits as a
//! unary gap in a bit vector, about `L + 2` bits a key in all. A body's
//! ~280 shingle keys of 32 bits take about 25 bits each this way (3.1 bytes
//! instead of 4), which is what the sign stage keeps of every body until
//! verification unpacks the candidates' sets.

/// A sorted set of distinct `u32`, packed; [`PackedSet::unpack_into`] gives
/// it back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PackedSet {
    /// The low bits of every key (`len * low_bits` bits), then the high-bit
    /// vector (`len + (max >> low_bits) + 1` bits).
    words: Box<[u64]>,
    len: u32,
    low_bits: u8,
}

impl PackedSet {
    /// Packs `keys`, which must be sorted and distinct.
    pub(crate) fn pack(keys: &[u32]) -> PackedSet {
        debug_assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted, distinct");
        let Some(&max) = keys.last() else {
            return PackedSet::default();
        };
        let n = keys.len();
        let per_key = (u64::from(max) + 1) / n as u64;
        let low_bits = match per_key {
            0 | 1 => 0,
            r => 63 - r.leading_zeros() as usize,
        };
        let low_words = (n * low_bits).div_ceil(64);
        let high_len = n + (u64::from(max) >> low_bits) as usize + 1;
        let mut words = vec![0u64; low_words + high_len.div_ceil(64)];
        let mask = (1u64 << low_bits) - 1;
        for (i, &key) in keys.iter().enumerate() {
            let key = u64::from(key);
            if low_bits > 0 {
                let (bit, low) = (i * low_bits, key & mask);
                let (w, o) = (bit / 64, bit % 64);
                words[w] |= low << o;
                if o + low_bits > 64 {
                    words[w + 1] |= low >> (64 - o);
                }
            }
            let h = (key >> low_bits) as usize + i;
            words[low_words + h / 64] |= 1 << (h % 64);
        }
        PackedSet {
            words: words.into_boxed_slice(),
            len: n as u32,
            low_bits: low_bits as u8,
        }
    }

    /// The number of keys.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// Appends the keys, in order, to `out`.
    pub(crate) fn unpack_into(&self, out: &mut Vec<u32>) {
        let (n, low_bits) = (self.len as usize, self.low_bits as usize);
        out.reserve(n);
        let low_words = (n * low_bits).div_ceil(64);
        let (lows, highs) = self.words.split_at(low_words);
        let mask = (1u64 << low_bits) - 1;
        let mut i = 0;
        for (wi, &word) in highs.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                let h = wi * 64 + word.trailing_zeros() as usize - i;
                let low = match low_bits {
                    0 => 0,
                    _ => {
                        let bit = i * low_bits;
                        let (w, o) = (bit / 64, bit % 64);
                        let mut v = lows[w] >> o;
                        if o + low_bits > 64 {
                            v |= lows[w + 1] << (64 - o);
                        }
                        v & mask
                    }
                };
                out.push(((h as u64) << low_bits | low) as u32);
                i += 1;
                word &= word - 1;
            }
        }
        debug_assert_eq!(i, n);
    }

    /// Heap bytes held.
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(keys: &[u32]) -> Vec<u32> {
        let packed = PackedSet::pack(keys);
        assert_eq!(packed.len(), keys.len());
        let mut out = vec![7];
        packed.unpack_into(&mut out);
        assert_eq!(out[0], 7, "appends");
        out.split_off(1)
    }

    #[test]
    fn edge_sets_come_back() {
        for keys in [
            vec![],
            vec![0],
            vec![u32::MAX],
            vec![0, u32::MAX],
            vec![0, 1, 2, 3, 4, 5, 6, 7, 8],
            (0..200).collect(),
            (u32::MAX - 300..=u32::MAX).collect(),
            vec![5, 1 << 31, (1 << 31) + 1, u32::MAX - 1, u32::MAX],
        ] {
            assert_eq!(round_trip(&keys), keys, "{keys:?}");
        }
    }

    #[test]
    fn a_body_sized_set_takes_about_25_bits_a_key() {
        let mut keys: Vec<u32> = (0..280u64)
            .map(|i| (crate::shingle::fmix64(i) >> 32) as u32)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let packed = PackedSet::pack(&keys);
        let bits = packed.heap_bytes() * 8 / keys.len();
        assert!((24..=27).contains(&bits), "{bits} bits a key");
        assert_eq!(round_trip(&keys), keys);
    }

    proptest! {
        #[test]
        fn any_sorted_set_comes_back(mut keys in prop::collection::vec(any::<u32>(), 0..600),
                                     dense in prop::collection::vec(0u32..2000, 0..600)) {
            keys.extend(dense);
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(round_trip(&keys), keys);
        }
    }
}
