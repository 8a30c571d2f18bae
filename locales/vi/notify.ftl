# Thông báo và nhắc hạn sau khi gửi hồ sơ; /notifications.
cmd-notifications = Bật, tắt thông báo và nhắc hạn
notifications-settings =
    <b>Thông báo</b>
    Thông báo khi hồ sơ thay đổi trạng thái: { $status ->
        [on] bật
       *[other] tắt
    }
    Nhắc hạn bổ sung hồ sơ và nộp phí: { $reminders ->
        [on] bật
       *[other] tắt
    }
    Trợ lý không gửi tin nhắn từ 21:00 đến 07:00; tin nhắn trong khoảng này được gửi vào buổi sáng.
notifications-switch-status = { $on ->
        [on] Bật thông báo trạng thái
       *[other] Tắt thông báo trạng thái
    }
notifications-switch-reminders = { $on ->
        [on] Bật nhắc hạn
       *[other] Tắt nhắc hạn
    }

notify-button-open = Xem hồ sơ
notify-button-supplement = Bổ sung hồ sơ
notify-button-fees = Xem phí và mã QR
notify-button-result = Nhận kết quả
notify-button-ask = Hỏi cán bộ
notify-button-rate = Đánh giá

notify-accepted =
    ✅ Hồ sơ <b>{ $code }</b> đã được tiếp nhận và đang xử lý.
    Ngày hẹn trả kết quả: { $due }.
notify-supplement =
    📎 Hồ sơ <b>{ $code }</b> cần bổ sung.
    Lý do: { $reason }
    Giấy tờ cần bổ sung: { $papers }
    Hạn bổ sung: { $deadline }
notify-fee =
    💳 Hồ sơ <b>{ $code }</b> cần { $what ->
        [fee] thanh toán phí, lệ phí
       *[other] thực hiện nghĩa vụ tài chính
    }.
    Nội dung: { $reason }
    Số tiền: { $amount }
    Hạn nộp: { $deadline }
    Mã thanh toán: { $reference }
notify-resumed =
    ▶️ Hồ sơ <b>{ $code }</b> { $what ->
        [paid] đã được xác nhận thanh toán và
       *[other] đã
    } tiếp tục được xử lý.
    Ngày hẹn trả kết quả: { $due }.
notify-paused =
    ⏸ Hồ sơ <b>{ $code }</b> đang tạm dừng xử lý.
    Lý do: { $reason }
notify-rejected =
    ❌ Hồ sơ <b>{ $code }</b> không được giải quyết.
    Lý do: { $reason }
notify-completed =
    🏁 Hồ sơ <b>{ $code }</b> đã hoàn thành thụ lý. Kết quả { $delivery ->
        [post] sẽ được gửi qua bưu điện đến địa chỉ bạn đã đăng ký.
       *[other] sẽ được gửi cho bạn ngay trong cuộc trò chuyện này.
    }
notify-result-online = 📄 Kết quả của hồ sơ <b>{ $code }</b>. Cảm ơn bạn đã sử dụng dịch vụ công trực tuyến; mời bạn đánh giá.
notify-result-post = 📮 Kết quả của hồ sơ <b>{ $code }</b> đã được gửi qua bưu điện. Mời bạn đánh giá việc giải quyết hồ sơ.
notify-result-fetch = 📄 Hồ sơ <b>{ $code }</b> đã có kết quả. Bấm "Nhận kết quả" để tải về (có thể cần đăng nhập lại).
notify-answer =
    💬 Cán bộ đã trả lời câu hỏi về hồ sơ <b>{ $code }</b>:
    { $answer }
notify-follow = 🔔 Hồ sơ <b>{ $code }</b> bạn đang theo dõi chuyển sang trạng thái: { $status }.
notify-remind-supplement = ⏰ Nhắc hạn: hồ sơ <b>{ $code }</b> cần bổ sung giấy tờ trước { $deadline }.
notify-remind-fee = ⏰ Nhắc hạn: hồ sơ <b>{ $code }</b> cần nộp { $amount } trước { $deadline }.
notify-overdue =
    🙏 Hồ sơ <b>{ $code }</b> đã quá ngày hẹn trả kết quả ({ $due }). Thành thật xin lỗi bạn vì sự chậm trễ này; cơ quan giải quyết sẽ hẹn lại ngày trả kết quả.
