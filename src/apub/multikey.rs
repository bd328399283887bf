//! Multikey (FEP-521a, W3C Controlled Identifiers) Ed25519 public keys: `publicKeyMultibase` is `z` and
//! the base58btc of the multicodec prefix `0xed 0x01` and the 32 key bytes.

/// The Bitcoin base58 alphabet that multibase `z` uses.
const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// The multicodec prefix of an Ed25519 public key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// Base58btc-decodes `text` (short inputs only: keys are 34 bytes).
fn base58_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() > 128 {
        return None;
    }
    let mut bytes: Vec<u8> = Vec::new(); // little-endian big number
    for c in text.bytes() {
        let mut carry = ALPHABET.iter().position(|a| *a == c)? as u32;
        for b in bytes.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    bytes.extend(std::iter::repeat_n(0, zeros));
    bytes.reverse();
    Some(bytes)
}

/// Base58btc-encodes `bytes`.
fn base58_encode(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new(); // little-endian base 58
    for b in bytes {
        let mut carry = u32::from(*b);
        for d in digits.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    std::iter::repeat_n(b'1', zeros)
        .chain(digits.iter().rev().map(|d| ALPHABET[*d as usize]))
        .map(char::from)
        .collect()
}

/// The 32 bytes of an Ed25519 Multikey's `publicKeyMultibase`, or `None` when it is not one.
pub fn decode_ed25519(multibase: &str) -> Option<[u8; 32]> {
    let bytes = base58_decode(multibase.strip_prefix('z')?)?;
    let key = bytes.strip_prefix(&ED25519_PUB)?;
    key.try_into().ok()
}

/// The `publicKeyMultibase` of an Ed25519 public key.
pub fn encode_ed25519(key: &[u8; 32]) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key);
    format!("z{}", base58_encode(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_multikey_example_of_the_specification_decodes() {
        // W3C Controlled Identifiers, Multikey example: an Ed25519 key.
        let text = "z6MkmM42vxfqZQsv4ehtTjFFxQ4sQKS2w6WR7emozFAn5cxu";
        let key = decode_ed25519(text).expect("ed25519 multikey");
        assert_eq!(encode_ed25519(&key), text);
        assert!(decode_ed25519("z6MkmM42vxfqZQsv4ehtTjFFxQ4sQKS2w6WR7emozFAn5cx0").is_none());
        assert!(decode_ed25519("u6MkmM42").is_none());
        assert_eq!(base58_decode("1112"), Some(vec![0, 0, 0, 1]));
    }
}
