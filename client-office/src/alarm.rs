//! The office's alarm sound, for the no-warehouse alarm: the warehouse's urgent chime
//! through rodio, or the terminal bell when there is no audio device.

use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Plays the alarm once. Must not block for long.
pub trait AlarmSound: Send {
    fn sound(&mut self);
}

/// Where the pump finds the sound; empty (tests, screenshots) logs instead.
pub type AlarmSlot = Arc<Mutex<Option<Box<dyn AlarmSound>>>>;

/// How long opening the audio device may take before the bell is used instead.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// rodio output, opened once on a thread that keeps the device open for the life of
/// this value (the stream type is not `Send` everywhere).
pub struct RodioAlarm {
    mixer: Option<rodio::mixer::Mixer>,
    /// Dropping this closes the device thread.
    _keep_open: Option<SyncSender<()>>,
}

impl RodioAlarm {
    pub fn open() -> RodioAlarm {
        let (mixer_tx, mixer_rx) = std::sync::mpsc::sync_channel(1);
        let (keep_tx, keep_rx) = std::sync::mpsc::sync_channel::<()>(0);
        let spawned = std::thread::Builder::new()
            .name("packbell-office-audio".into())
            .spawn(
                move || match rodio::DeviceSinkBuilder::open_default_sink() {
                    Ok(mut sink) => {
                        sink.log_on_drop(false);
                        let _ = mixer_tx.send(Some(sink.mixer().clone()));
                        // Blocks until the owner drops its sender.
                        let _ = keep_rx.recv();
                    }
                    Err(err) => {
                        tracing::warn!("no audio output for the alarm, using the bell: {err}");
                        let _ = mixer_tx.send(None);
                    }
                },
            );
        let mixer = match spawned {
            Ok(_) => mixer_rx.recv_timeout(OPEN_TIMEOUT).ok().flatten(),
            Err(err) => {
                tracing::warn!("no audio thread for the alarm, using the bell: {err}");
                None
            }
        };
        RodioAlarm {
            mixer,
            _keep_open: Some(keep_tx),
        }
    }
}

impl AlarmSound for RodioAlarm {
    fn sound(&mut self) {
        use rodio::Source as _;
        const CHIME: &[u8] = include_bytes!("../../assets/sounds/urgent.wav");
        let Some(mixer) = &self.mixer else {
            ring_bell();
            return;
        };
        match rodio::Decoder::new(std::io::Cursor::new(CHIME)) {
            Ok(decoder) => mixer.add(decoder.amplify(1.0)),
            Err(err) => {
                tracing::warn!("alarm sound unreadable, using the bell: {err}");
                ring_bell();
            }
        }
    }
}

/// The terminal bell: the least a PC without audio can do.
fn ring_bell() {
    use std::io::Write as _;
    let mut err = std::io::stderr();
    let _ = err.write_all(b"\x07");
    let _ = err.flush();
}

/// Plays the alarm through `slot`, or logs that it would have.
pub fn sound(slot: &AlarmSlot) {
    tracing::warn!("no warehouse PC has rung for a pending order: sounding the alarm");
    if let Ok(mut slot) = slot.lock()
        && let Some(sound) = slot.as_mut()
    {
        sound.sound();
    }
}
