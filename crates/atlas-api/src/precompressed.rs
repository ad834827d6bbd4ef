//! Compressed copies of a kept body, made once: browsers always send `Accept-Encoding`, and
//! compressing a cached answer or tile again on every hit costs far more than finding it.
//! The compression middleware leaves a response that already has a `Content-Encoding`.

use std::io::Write;
use std::sync::OnceLock;

use actix_web::http::header::{AcceptEncoding, Encoding};
use actix_web::{HttpMessage, HttpRequest};
use bytes::Bytes;

/// The encodings a kept body is sent in, best first.
const OFFERED_ENCODINGS: [Encoding; 3] =
    [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];

/// The brotli and gzip copies of one body, each made the first time a client asks for it.
#[derive(Default)]
pub struct Precompressed {
    brotli: OnceLock<Option<Bytes>>,
    gzip: OnceLock<Option<Bytes>>,
}

impl Precompressed {
    /// `body` in the encoding `req` prefers, with that encoding's name; `None` to send it as
    /// it is.
    pub fn for_request(&self, req: &HttpRequest, body: &Bytes) -> Option<(&'static str, Bytes)> {
        let accepted = req.get_header::<AcceptEncoding>()?;
        let chosen = accepted.negotiate(OFFERED_ENCODINGS.iter())?;
        if chosen == Encoding::brotli() {
            let copy = self.brotli.get_or_init(|| brotli_compressed(body));
            copy.clone().map(|copy| ("br", copy))
        } else if chosen == Encoding::gzip() {
            let copy = self.gzip.get_or_init(|| gzip_compressed(body));
            copy.clone().map(|copy| ("gzip", copy))
        } else {
            None
        }
    }
}

fn brotli_compressed(body: &[u8]) -> Option<Bytes> {
    // Quality 5: once per body, a little denser than the middleware's streaming quality 3.
    let params = brotli::enc::BrotliEncoderParams {
        quality: 5,
        ..Default::default()
    };
    let mut out = Vec::with_capacity(body.len() / 4 + 64);
    brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
    Some(Bytes::from(out))
}

fn gzip_compressed(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::default(),
    );
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}
