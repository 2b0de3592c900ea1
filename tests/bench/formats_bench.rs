use spanscope::load::{load, Input};
use std::io::Write;
use std::time::Instant;

fn otlp_one(i: usize) -> Vec<u8> {
    format!(r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},"scopeSpans":[{{"spans":[{{"traceId":"{:032x}","spanId":"{:016x}","name":"s","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}}]}}]}}]}}"#, i + 1, i + 1).into_bytes()
}

fn main() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..10_000 {
            w.start_file(format!("m{i}.json"), opts).ok();
            w.write_all(&otlp_one(i)).ok();
        }
        w.finish().ok();
    }
    let zip = buf.into_inner();
    let t = Instant::now();
    let s = load(vec![Input::new("many.zip", zip)]);
    println!(
        "zip_10000_members_s={:.3} spans={} files={}",
        t.elapsed().as_secs_f64(),
        s.store.span_count(),
        s.report.files.len()
    );
}
