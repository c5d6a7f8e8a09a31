//! Per-connection sender task: owns the socket's write half.
//!
//! It feeds every frame already waiting in its queue and flushes once, which delivers
//! several times the frames per second of one flush per frame.

use futures_util::{Sink, SinkExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};

/// Frames fed before a flush is forced, so a busy queue still flushes regularly.
const MAX_FEED_BEFORE_FLUSH: usize = 256;

#[derive(Debug)]
pub enum Outgoing {
    Text(Utf8Bytes),
    Ping,
    /// Sends a close frame and ends the task.
    Close {
        code: u16,
        reason: String,
    },
}

pub async fn run<S>(mut sink: S, mut queue: mpsc::Receiver<Outgoing>)
where
    S: Sink<Message, Error = WsError> + Unpin,
{
    while let Some(first) = queue.recv().await {
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(item) = next.take() {
            let closing = matches!(item, Outgoing::Close { .. });
            if sink.feed(message(item)).await.is_err() {
                return;
            }
            if closing {
                let _ = sink.flush().await;
                let _ = sink.close().await;
                return;
            }
            fed += 1;
            if fed < MAX_FEED_BEFORE_FLUSH {
                next = queue.try_recv().ok();
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
    let _ = sink.close().await;
}

fn message(item: Outgoing) -> Message {
    match item {
        Outgoing::Text(text) => Message::Text(text),
        Outgoing::Ping => Message::Ping(Default::default()),
        Outgoing::Close { code, reason } => Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        })),
    }
}
